import { terminalSafe } from './terminal.ts';
import type { RunData } from './run-data.ts';

/** Markdown table cells: model output must not break the table or inject markup/links. */
function cell(text: string): string {
  // Control and bidi characters would drive a terminal that cats this file, or reorder text on a page.
  return terminalSafe(text.replace(/[\r\n]+/g, ' '))
    .replace(/[\\`*_{}[\]()#+!|<>&~]/g, (c) => `\\${c}`)
    .slice(0, 200);
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–';
}

const ICON = { pass: '✅', fail: '❌', error: '⚠️', skipped: '⏭️' } as const;

/** A summary for CI job pages (e.g. $GITHUB_STEP_SUMMARY). */
export function markdownSummary(data: RunData): string {
  const failed = data.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'error').length;
  const lines = [
    `## thinkprobe: ${cell(data.run.suite)} on ${cell(data.run.model)}`,
    '',
    data.checks.length === 0 ? 'No checks.' : failed === 0 ? `**All ${data.checks.length} checks hold.**` : `**${failed} of ${data.checks.length} checks failed.**`,
    '',
    '| check | verdict | summary |',
    '| --- | --- | --- |',
    ...data.checks.map((c) => `| ${cell(c.name)} | ${ICON[c.verdict]} ${c.verdict} | ${cell(c.summary)} |`),
    '',
    '| intervention | n | accuracy | 95% interval | thinking tokens | answer tokens |',
    '| --- | ---: | ---: | --- | ---: | ---: |',
    ...data.interventions.map(
      (i) =>
        `| ${cell(i.label)} | ${i.n} | ${pct(i.accuracy.estimate)} | ${pct(i.accuracy.low)} – ${pct(i.accuracy.high)} | ${i.meanThinkingTokens.toFixed(0)} | ${i.meanAnswerTokens.toFixed(0)} |`,
    ),
    '',
    `Run \`${cell(data.run.id)}\`, thinkprobe ${cell(data.run.thinkprobeVersion)}.`,
    '',
  ];
  return lines.join('\n');
}
