import type { RunData } from '../../../run-data.ts';
import { el, jsonBlock, percent, round } from '../dom.ts';

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

  const table = el('table', { class: 'interventions' });
  table.append(
    el('thead', {}, el('tr', {}, ...['intervention', 'n', 'accuracy', '95% interval', 'thinking tokens', 'answer tokens', 'cost alone', 'cost in tree'].map((h) => el('th', {}, h)))),
  );
  const body = el('tbody');
  for (const i of data.interventions) {
    body.append(
      el(
        'tr',
        {},
        el('td', {}, i.label),
        el('td', {}, i.n),
        el('td', {}, percent(i.accuracy.estimate)),
        el('td', {}, `${percent(i.accuracy.low)} – ${percent(i.accuracy.high)}`),
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
    el('h2', {}, 'Environment'),
    env,
  );
}
