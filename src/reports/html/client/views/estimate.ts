import type { CostFigures, RunData } from '../../../run-data.ts';
import { el } from '../dom.ts';

/**
 * The run's cost estimate (made before generating, as `thinkprobe estimate` makes it) against what
 * it spent: a small table under the cost chart. Nothing when the run made no estimate.
 */
export function renderEstimate(data: RunData): HTMLElement[] {
  const compared = data.estimate;
  if (!compared) return [];
  const bound = compared.kind === 'upper-bound';
  const figure = (x: number | null, prefix = ''): string => (x === null ? '–' : `${prefix}${Math.round(x).toLocaleString('en-US')}`);
  const wall = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
  const rows: Array<[string, (f: CostFigures) => string, string]> = [
    ['requests', (f) => figure(f.requests), bound ? 'at least ' : ''],
    ['prompt tokens', (f) => figure(f.promptTokens), ''],
    ['generated tokens', (f) => figure(f.generatedTokens), bound ? 'at most ' : ''],
    ['wall time', (f) => wall(f.wallMs), ''],
  ];
  const table = el(
    'table',
    { class: 'estimate' },
    el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'estimate'), el('th', {}, 'actual'))),
    el(
      'tbody',
      {},
      ...rows.map(([name, read, prefix]) => {
        const estimated = read(compared.estimate);
        return el('tr', { dataset: { figure: name } }, el('th', {}, name), el('td', {}, estimated === '–' ? estimated : `${prefix}${estimated}`), el('td', {}, read(compared.actual)));
      }),
    ),
  );
  return [el('h2', {}, 'Cost: estimate against actual'), el('p', { class: 'hint' }, `Estimated before the run from ${compared.basis}.`), table];
}
