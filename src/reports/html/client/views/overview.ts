import type { RunData } from '../../../run-data.ts';
import { clusterNote } from '../clustering.ts';
import { el, jsonBlock, percent, round } from '../dom.ts';

/** Every column says what it measures where it is shown (the README's "Reading the results" says the same). */
export const COLUMNS: Array<[string, string]> = [
  ['intervention', 'The intervention on the thinking trace, with its parameters.'],
  ['n', 'Results graded: problems x samples (errored results are not counted).'],
  ['accuracy', 'Share of graded results whose final answer equals the reference.'],
  ['95% interval', '95% interval of the accuracy (clustered by problem when samples repeat a problem).'],
  ['thinking tokens', 'Mean tokens between <think> and </think> per result, injected text included.'],
  ['answer tokens', 'Mean tokens after the thinking closed per result.'],
  ['cost alone', 'Server work this intervention would cost if run on its own: new prompt tokens the server had to evaluate plus decoded tokens, per result.'],
  ['cost in tree', 'Its share of what the run actually spent: branches reuse the trunk they fork from, so this is at most cost alone.'],
];

export const COST_NOTE =
  'cost alone: new prompt tokens + decoded tokens if the intervention ran by itself; cost in tree: its share of what the run spent, with trunks shared between interventions (both per result).';

export function renderOverview(data: RunData): HTMLElement {
  const failed = data.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'error').length;
  const verdictLine =
    data.checks.length === 0
      ? 'No checks in this suite.'
      : failed === 0
        ? `All ${data.checks.length} checks hold.`
        : `${failed} of ${data.checks.length} checks failed.`;

  const checks = el('ul', { class: 'checks' });
  for (const check of data.checks) {
    const item = el(
      'li',
      { class: `check verdict-${check.verdict}`, dataset: { verdict: check.verdict } },
      el('span', { class: 'badge' }, check.verdict.toUpperCase()),
      el('strong', {}, check.name),
      el('span', { class: 'summary' }, check.summary),
    );
    if (check.evidence !== undefined || check.counterexample !== undefined) {
      const details = el('details', {}, el('summary', {}, 'evidence'));
      if (check.counterexample !== undefined) details.append(el('div', { class: 'label' }, 'minimal counterexample'), jsonBlock(check.counterexample));
      if (check.evidence !== undefined) details.append(jsonBlock(check.evidence));
      item.append(details);
    }
    checks.append(item);
  }

  const clustered = clusterNote(data);
  const table = el('table', { class: 'interventions' });
  table.append(el('thead', {}, el('tr', {}, ...COLUMNS.map(([h, title]) => el('th', { title }, h)))));
  const body = el('tbody');
  for (const i of data.interventions) {
    body.append(
      el(
        'tr',
        {},
        el('td', {}, i.label),
        el('td', {}, i.n),
        el('td', {}, percent(i.accuracy.estimate)),
        el('td', { class: 'interval', title: clustered ?? '95% Wilson interval' }, `${percent(i.accuracy.low)} – ${percent(i.accuracy.high)}`),
        el('td', {}, round(i.meanThinkingTokens)),
        el('td', {}, round(i.meanAnswerTokens)),
        el('td', {}, round(i.costAlone)),
        el('td', {}, round(i.costShared)),
      ),
    );
  }
  table.append(body);

  const env = el('table', { class: 'environment' });
  const envRows: Array<[string, string]> = [
    ['run', data.run.id],
    ['suite', data.run.suite],
    ['model', data.run.model],
    ['started', data.run.startedAt],
    ['finished', data.run.finishedAt ?? '–'],
    ['thinkprobe', data.run.thinkprobeVersion],
    ...Object.entries(data.run.environment).map(([k, v]): [string, string] => [k, String(v)]),
  ];
  for (const [k, v] of envRows) env.append(el('tr', {}, el('th', {}, k), el('td', {}, v)));

  return el(
    'section',
    { id: 'overview' },
    el('p', { class: failed === 0 ? 'verdict ok' : 'verdict bad' }, verdictLine),
    el('h2', {}, 'Checks'),
    checks,
    el('h2', {}, 'Interventions'),
    table,
    clustered ? el('p', { class: 'hint interval-note' }, `Intervals: ${clustered}. Samples of one problem are correlated, so the problem is the unit of the interval.`) : null,
    el('p', { class: 'hint cost-note' }, COST_NOTE),
    el('h2', {}, 'Environment'),
    env,
  );
}
