/**
 * The one way a p-value is written in every report (terminal, Markdown, HTML, JUnit, compare):
 * three decimals, and `p<0.001` below that (APA style), so the same kind of number never shows as
 * both `p=0.000` and `p=7.75e-7`. Not a number gives `p=n/a`.
 */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'p=n/a';
  if (p < 0.001) return 'p<0.001';
  return `p=${Math.min(1, p).toFixed(3)}`;
}
