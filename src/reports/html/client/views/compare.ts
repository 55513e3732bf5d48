import * as Plot from '@observablehq/plot';
import type { Comparison, RunData } from '../../../run-data.ts';
import { clusterNote } from '../clustering.ts';
import { clear, el, percent } from '../dom.ts';
import { pagerControls } from './problems.ts';
import { naturalCompare } from '../palette.ts';
import { formatP, pairedTestName } from '../../../../metrics/format.ts';

function points(x: number): string {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}` : '–';
}

/** Worse or better only when the interval excludes no change; otherwise the difference is noise. */
function direction(row: Comparison['rows'][number]): 'worse' | 'better' | 'same' {
  if (row.high < 0) return 'worse';
  if (row.low > 0) return 'better';
  return 'same';
}

/** The test behind a row's p, in words; a report written before rows named it was McNemar or, with samples, sign-flip. */
function testOf(row: Comparison['rows'][number]): string {
  return `one-sided ${pairedTestName(row.test ?? 'mcnemar')}`;
}

/** One line per test used, naming its interventions: which test decided each verdict. */
function testNote(comparison: Comparison): HTMLElement | null {
  const rows = comparison.rows.filter((r) => r.test !== undefined && r.pairs > 0);
  if (rows.length === 0) return null;
  const byTest = new Map<string, string[]>();
  for (const r of rows) byTest.set(testOf(r), [...(byTest.get(testOf(r)) ?? []), r.intervention]);
  const stratified = rows.filter((r) => r.test === 'stratified');
  const shapes = [...new Set(stratified.map((r) => `A has ${r.samplesA ?? '?'} and B ${r.samplesB ?? '?'} samples per problem`))];
  const samples = stratified.length > 0 ? ` ${shapes.length === 1 ? shapes[0] : stratified.map((r) => `${r.intervention}: ${`A has ${r.samplesA ?? '?'} and B ${r.samplesB ?? '?'}`}`).join('; ') + ' samples per problem'}, so results are paired by problem: pairs, lost and gained count problems.` : '';
  const lines = [...byTest].map(([test, labels]) => `${test} (${labels.join(', ')})`);
  return el('p', { class: 'hint compare-test' }, `p (B worse) is the ${lines.join('; the ')}.${samples}`);
}

function sideBySide(comparison: Comparison): HTMLTableElement {
  const table = el('table', { class: 'comparison' });
  const header: Array<[string, string]> = [
    ['intervention', 'Interventions both runs have.'],
    ['pairs', 'Results paired by problem and sample; problems, where the runs have different samples per problem.'],
    [`A ${comparison.a.id}`, 'Accuracy of A on the paired results.'],
    [`B ${comparison.b.id}`, 'Accuracy of B on the paired results.'],
    ['B − A (points)', 'Paired difference in accuracy points with its 95% interval.'],
    ['lost', 'Pairs right in A and wrong in B (problems whose accuracy fell, when paired by problem).'],
    ['gained', 'Pairs wrong in A and right in B (problems whose accuracy rose, when paired by problem).'],
    ['p (B worse)', 'One-sided p-value that B is worse than A (what the verdict uses).'],
  ];
  table.append(el('thead', {}, el('tr', {}, ...header.map(([h, title]) => el('th', { title }, h)))));
  const body = el('tbody');
  for (const row of comparison.rows) {
    const dir = direction(row);
    body.append(
      el(
        'tr',
        { class: `diff-${dir}`, dataset: { intervention: row.intervention } },
        el('td', {}, row.intervention),
        el('td', {}, row.pairs),
        el('td', {}, percent(row.accuracyA)),
        el('td', {}, percent(row.accuracyB)),
        el('td', { class: dir === 'worse' ? 'bad' : dir === 'better' ? 'ok' : '' }, `${points(row.difference)} (${points(row.low)} to ${points(row.high)})`),
        el('td', { class: row.lost > 0 ? 'bad' : '' }, row.lost),
        el('td', { class: row.gained > 0 ? 'ok' : '' }, row.gained),
        el('td', { title: testOf(row) }, formatP(row.worseP)),
      ),
    );
  }
  table.append(body);
  return table;
}

/** No change (0) sits in the middle, so worse and better read left and right of it. */
function symmetricDomain(rows: Array<{ low: number; high: number }>): [number, number] {
  const reach = Math.max(0.05, ...rows.flatMap((r) => [Math.abs(r.low), Math.abs(r.high)]).filter(Number.isFinite)) * 1.1;
  return [-reach, reach];
}

function differenceChart(comparison: Comparison): Element {
  const rows = comparison.rows.filter((r) => r.pairs > 0).map((r) => ({ ...r, direction: direction(r) }));
  const longest = Math.max(10, ...rows.map((r) => r.intervention.length));
  const chart = Plot.plot({
    width: 900,
    height: 60 + 34 * rows.length,
    marginLeft: Math.min(420, 16 + 6.4 * longest),
    marginRight: 30,
    grid: true,
    color: { domain: ['worse', 'same', 'better'], range: ['#cf222e', '#6e7781', '#1a7f37'], legend: true },
    x: { label: 'B − A accuracy (points), 95% interval', domain: symmetricDomain(rows), tickFormat: (d: number) => `${d > 0 ? '+' : ''}${Math.round(d * 100)}` },
    y: { label: null, domain: rows.map((r) => r.intervention) },
    marks: [
      Plot.ruleX([0], { stroke: '#1d2329' }),
      Plot.ruleY(rows, { y: 'intervention', x1: 'low', x2: 'high', stroke: 'direction', strokeWidth: 2 }),
      Plot.dot(rows, { y: 'intervention', x: 'difference', fill: 'direction', r: 5, tip: true }),
    ],
  });
  chart.classList.add('chart', 'chart-compare');
  return chart;
}

const FLIPS_PER_PAGE = 100;

function flipRow(f: Comparison['flips'][number]): HTMLTableRowElement {
  return el(
    'tr',
    { class: f.b ? 'flip-gained' : 'flip-lost' },
    el('td', {}, f.problemId),
    el('td', {}, f.intervention),
    el('td', {}, f.sample ?? 'all'),
    el('td', {}, f.sample === undefined ? `${f.correctA ?? '?'}/${f.samplesA ?? '?'} right` : f.a ? 'right' : 'wrong'),
    el('td', {}, f.sample === undefined ? `${f.correctB ?? '?'}/${f.samplesB ?? '?'} right` : f.b ? 'right' : 'wrong'),
  );
}

/** Every flipped result, a page of FLIPS_PER_PAGE at a time: two large runs can differ in thousands. */
function flipTable(comparison: Comparison): HTMLElement {
  if (comparison.flips.length === 0) return el('p', { class: 'hint' }, 'No paired result changed between A and B.');
  const flips = [...comparison.flips].sort((x, y) => naturalCompare(x.problemId, y.problemId) || x.intervention.localeCompare(y.intervention) || (x.sample ?? -1) - (y.sample ?? -1));
  const body = el('tbody');
  const pager = el('div', { class: 'pager' });
  const pages = Math.ceil(flips.length / FLIPS_PER_PAGE);
  const draw = (page: number): void => {
    clear(body);
    for (const f of flips.slice(page * FLIPS_PER_PAGE, (page + 1) * FLIPS_PER_PAGE)) body.append(flipRow(f));
    clear(pager);
    pager.append(...pagerControls(page, pages, draw));
  };
  draw(0);
  const table = el('table', { class: 'flips' }, el('thead', {}, el('tr', {}, ...['problem', 'intervention', 'sample', 'A', 'B'].map((h) => el('th', {}, h)))), body);
  return el('div', { class: 'flips-block' }, table, pager);
}

/** How the results were paired: by sample, or by problem where the runs have different samples per problem. */
function pairing(comparison: Comparison): string {
  const byProblem = comparison.rows.filter((r) => r.test === 'stratified').map((r) => r.intervention);
  if (byProblem.length === 0) return 'Results are paired by problem and sample';
  if (byProblem.length === comparison.rows.length) return 'The runs have different samples per problem, so results are paired by problem (a flip is a problem whose accuracy moved)';
  return `Results are paired by problem and sample, except in ${byProblem.join(', ')} (different samples per problem: paired by problem, a flip is a problem whose accuracy moved)`;
}

/** B against A side by side: the paired differences with their intervals, and every flipped result. */
export function renderCompare(data: RunData): HTMLElement {
  const section = el('section', { id: 'compare' }, el('h2', {}, 'B against A'));
  const comparison = data.comparison;
  if (!comparison) {
    section.append(el('p', { class: 'hint' }, 'This report is not a comparison.'));
    return section;
  }
  const lost = comparison.flips.filter((f) => !f.b).length;
  section.append(
    el('p', { class: 'hint' }, `A: ${comparison.a.id} (${comparison.a.model}) · B: ${comparison.b.id} (${comparison.b.model}). ${pairing(comparison)}; ${lost} went from right to wrong${comparison.flips.some((f) => f.sample === undefined) ? ' (or, paired by problem, fell in accuracy)' : ''}, ${comparison.flips.length - lost} from wrong to right.`),
    sideBySide(comparison),
    testNote(comparison),
    el('h2', {}, 'Paired differences'),
    clusterNote(data) ? el('p', { class: 'hint interval-note' }, `Differences: ${clusterNote(data) ?? ''}${comparison.rows.some((r) => r.test !== undefined) ? '' : '; the p-value is a sign-flip test on per-problem differences'}.`) : null,
    differenceChart(comparison),
    el('h2', {}, `Flipped results (${comparison.flips.length})`),
    flipTable(comparison),
  );
  return section;
}
