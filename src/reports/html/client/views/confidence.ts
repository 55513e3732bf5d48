import * as Plot from '@observablehq/plot';
import type { ResultSummary, RunData } from '../../../run-data.ts';
import { clear, el } from '../dom.ts';
import { interventionColours, naturalCompare, NEUTRAL_COLOURS, type ColourScale } from '../palette.ts';
import { clusterNote, samplesPerProblem } from '../clustering.ts';
import { bandByPosition, tracesByOutcome, type BandPoint, type Outcome } from './confidence-bands.ts';
import { reflectionStats, type ReflectionStat } from './reflection-stats.ts';

export { bandByPosition } from './confidence-bands.ts';

const MULTIPLES = 24;

function bandChart(points: BandPoint[], counts: Record<Outcome, number>, measure: { label: string; domain?: [number, number] }, colours: ColourScale, className: string): Element {
  const chart = Plot.plot({
    width: 900,
    height: 300,
    marginLeft: 56,
    marginBottom: 42,
    grid: true,
    color: { ...colours, legend: true },
    fx: { label: null, domain: ['correct', 'wrong'], tickFormat: (d: Outcome) => `${d} traces (n = ${counts[d]})`, padding: 0.12 },
    x: { label: 'position in the thinking (fraction of its tokens)', domain: [0, 1], ticks: 5 },
    y: { label: measure.label, ...(measure.domain ? { domain: measure.domain } : { nice: true }) },
    marks: [
      Plot.areaY(points, { fx: 'outcome', x: 'x', y1: 'low', y2: 'high', fill: 'intervention', fillOpacity: 0.14, z: 'intervention' }),
      Plot.line(points, { fx: 'outcome', x: 'x', y: 'mean', stroke: 'intervention', z: 'intervention', tip: true, channels: { n: 'n' } }),
      Plot.frame({ stroke: '#ddd' }),
    ],
  });
  chart.classList.add('chart', className);
  return chart;
}

function statLabel(s: ReflectionStat): string {
  return `${s.intervention} · ${s.word === undefined ? 'reflection words' : `'${s.word}'`} (n = ${s.count})`;
}

/** Bars with their 95% intervals: at the word against all positions, per intervention. */
function reflectionChart(stats: readonly ReflectionStat[]): Element {
  const rows = stats.flatMap((s) => [
    { label: statLabel(s), where: 'all positions', value: s.allPositions, low: s.allInterval[0], high: s.allInterval[1] },
    { label: statLabel(s), where: 'at the reflection word', value: s.atReflection, low: s.atInterval[0], high: s.atInterval[1] },
  ]);
  const withInterval = rows.filter((r) => Number.isFinite(r.low) && Number.isFinite(r.high));
  // Horizontal bars: labels (with their n) can be long, and a left margin grows to fit them.
  const longest = Math.max(...rows.map((r) => r.label.length));
  const chart = Plot.plot({
    width: 900,
    height: 48 + 60 * stats.length,
    marginLeft: Math.min(520, 16 + 6.4 * longest),
    marginRight: 24,
    color: { domain: ['all positions', 'at the reflection word'], range: NEUTRAL_COLOURS, legend: true },
    fy: { label: null, padding: 0.25, domain: stats.map(statLabel) },
    y: { label: null, axis: null, domain: ['all positions', 'at the reflection word'] },
    x: { label: 'mean relative change of L-hat per probe step (95% interval)', grid: true, nice: true },
    marks: [
      Plot.barX(rows, { fy: 'label', y: 'where', x: 'value', fill: 'where', fillOpacity: 0.75, tip: true }),
      Plot.ruleY(withInterval, { fy: 'label', y: 'where', x1: 'low', x2: 'high', stroke: '#cf222e', strokeWidth: 2 }),
      Plot.tickX(withInterval, { fy: 'label', y: 'where', x: 'low', stroke: '#cf222e', strokeWidth: 2 }),
      Plot.tickX(withInterval, { fy: 'label', y: 'where', x: 'high', stroke: '#cf222e', strokeWidth: 2 }),
      Plot.ruleX([0]),
    ],
  });
  chart.classList.add('chart', 'chart-reflection');
  return chart;
}

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const withInterval = (x: number, [low, high]: [number, number], digits: number): string =>
  Number.isFinite(low) && Number.isFinite(high) ? `${fixed(x, digits)} (${fixed(low, digits)}–${fixed(high, digits)})` : fixed(x, digits);

/** The chart's numbers as the check prints them (3 decimals, the ratio 2), with full precision in data attributes. */
function reflectionTable(stats: readonly ReflectionStat[], note: string): HTMLTableElement {
  const header: Array<[string, string]> = [
    ['intervention', 'The probed intervention.'],
    ['word', 'The reflection word of the reflectionShift check, or every reflection word when the suite has no such check.'],
    ['at the word', `Mean relative L-hat change over probe steps where the word starts; ${note}.`],
    ['all positions', `Mean relative L-hat change over every probe step; ${note}.`],
    ['ratio', `At the word over all positions (RaML: about 2 at "Wait"); ${note}.`],
    ['steps', 'Probe steps where the word starts, of all steps with a defined change.'],
    ['traces', 'Traces with at least two exact L-hat values.'],
  ];
  const table = el('table', { class: 'reflection-stats' }, el('thead', {}, el('tr', {}, ...header.map(([h, title]) => el('th', { title }, h)))));
  const body = el('tbody');
  for (const s of stats) {
    body.append(
      el(
        'tr',
        { dataset: { intervention: s.intervention, word: s.word ?? '', atReflection: String(s.atReflection), allPositions: String(s.allPositions), ratio: String(s.ratio) } },
        el('td', {}, s.intervention),
        el('td', {}, s.word ?? 'all reflection words'),
        el('td', { class: 'interval', title: note }, withInterval(s.atReflection, s.atInterval, 3)),
        el('td', { class: 'interval', title: note }, withInterval(s.allPositions, s.allInterval, 3)),
        el('td', { class: 'interval', title: note }, withInterval(s.ratio, s.ratioInterval, 2)),
        el('td', {}, `${s.count} of ${s.steps}`),
        el('td', {}, s.traces),
      ),
    );
  }
  table.append(body);
  return table;
}

function reflectionBlock(data: RunData): HTMLElement | null {
  const stats = reflectionStats(data);
  if (stats.length === 0) return null;
  const note = `95% CI, bootstrap over problems${samplesPerProblem(data.results) > 1 ? ' (clustered by problem: a problem\u2019s samples are resampled together)' : ''}`;
  const checked = stats.some((s) => s.word !== undefined);
  return el(
    'div',
    { class: 'reflection-block' },
    el('h2', {}, 'Reflection words (RaML Figure 6)'),
    el(
      'p',
      { class: 'hint' },
      `Mean relative change of L-hat from one probe to the next, over the steps where a reflection word starts against all steps${checked ? ': the same statistic, on the same traces, as the suite\u2019s reflectionShift check' : ''}. n is the number of steps at the word; intervals are ${note}.`,
    ),
    reflectionChart(stats),
    reflectionTable(stats, note),
  );
}

interface MultiplePoint {
  x: number;
  y: number;
  intervention: string;
  series: string;
  correct: boolean;
}

function multiplesMeasure(data: RunData): { key: 'lhat' | 'pCorrect'; label: string } {
  const hasLhat = data.results.some((r) => r.confidence.some((c) => typeof c.lhat === 'number' && c.bounded !== true));
  return hasLhat ? { key: 'lhat', label: 'L-hat' } : { key: 'pCorrect', label: 'p(correct)' };
}

function problemPoints(results: ResultSummary[], key: 'lhat' | 'pCorrect'): MultiplePoint[] {
  return results.flatMap((r) =>
    r.confidence
      .filter((c) => typeof c[key] === 'number' && Number.isFinite(c[key]) && c.bounded !== true)
      .map((c) => ({ x: c.normalized, y: c[key] as number, intervention: r.intervention, series: `${r.intervention} #${r.sample}`, correct: r.correct })),
  );
}

function multipleChart(points: MultiplePoint[], yLabel: string, colours: ColourScale, yDomain: [number, number] | undefined): Element {
  const chart = Plot.plot({
    width: 220,
    height: 150,
    marginLeft: 40,
    marginBottom: 28,
    color: colours,
    x: { domain: [0, 1], label: null, ticks: 2 },
    y: { label: yLabel, ticks: 3, ...(yDomain ? { domain: yDomain } : { nice: true }) },
    marks: [
      Plot.line(points.filter((p) => p.correct), { x: 'x', y: 'y', z: 'series', stroke: 'intervention', strokeOpacity: 0.85 }),
      Plot.line(points.filter((p) => !p.correct), { x: 'x', y: 'y', z: 'series', stroke: 'intervention', strokeOpacity: 0.85, strokeDasharray: '3,2' }),
    ],
  });
  chart.classList.add('chart', 'chart-multiple');
  return chart;
}

function renderMultiples(data: RunData, colours: ColourScale): HTMLElement | null {
  const measure = multiplesMeasure(data);
  const byProblem = new Map<string, ResultSummary[]>();
  for (const r of data.results) if (r.confidence.length > 1 && r.error === undefined) byProblem.set(r.problemId, [...(byProblem.get(r.problemId) ?? []), r]);
  if (byProblem.size === 0) return null;
  const shown = [...byProblem.keys()].sort(naturalCompare).slice(0, MULTIPLES);
  const points = new Map(shown.map((id) => [id, problemPoints(byProblem.get(id) ?? [], measure.key)]));
  const all = [...points.values()].flat().map((p) => p.y);
  const shared: [number, number] | undefined = all.length ? [Math.min(0, ...all), Math.max(...all)] : undefined;
  const grid = el('div', { class: 'multiples' });
  const sharedToggle = el('input', { id: 'multiples-shared-y' });
  sharedToggle.type = 'checkbox';
  sharedToggle.checked = true;
  const draw = (): void => {
    clear(grid);
    for (const id of shown) grid.append(el('figure', {}, el('figcaption', {}, id), multipleChart(points.get(id) ?? [], measure.label, colours, sharedToggle.checked ? shared : undefined)));
  };
  sharedToggle.addEventListener('change', draw);
  draw();
  const legend = Plot.legend({ color: colours });
  legend.classList.add('legend-multiples');
  return el(
    'div',
    { class: 'multiples-block' },
    el('h2', {}, `Per problem: ${measure.label} along each trace`),
    el(
      'p',
      { class: 'hint' },
      `One colour per intervention; solid lines are traces that ended correct, dashed lines wrong ones. ${shown.length < byProblem.size ? `First ${shown.length} of ${byProblem.size} problems.` : ''}`,
    ),
    el('div', { class: 'toolbar' }, legend, el('label', {}, sharedToggle, ' same y-scale in every panel')),
    grid,
  );
}

export function renderConfidence(data: RunData): HTMLElement {
  const section = el('section', { id: 'confidence' }, el('h2', {}, 'Confidence along the trace'));
  const colours = interventionColours(data);
  const p = bandByPosition(data.results, 'pCorrect');
  const l = bandByPosition(data.results, 'lhat');
  if (p.length === 0 && l.length === 0) {
    section.append(el('p', { class: 'hint' }, 'This run measured no confidence probes.'));
    return section;
  }
  section.append(
    el(
      'p',
      { class: 'hint' },
      `Correct and wrong traces apart, as in RaML\u2019s figures: the mean over traces in each of 20 position bins, with its 95% interval${clusterNote(data) ? ` (${clusterNote(data) ?? ''})` : ''}. L-hat is the teacher-forced loss (nats per token) of the reference answer: on correct traces it falls as reasoning converges. Bounded L-hat values (a reference token outside the top 20) are left out.`,
    ),
  );
  if (p.length) section.append(bandChart(p, tracesByOutcome(data.results, 'pCorrect'), { label: 'p(correct answer)', domain: [0, 1] }, colours, 'chart-pcorrect'));
  if (l.length) section.append(bandChart(l, tracesByOutcome(data.results, 'lhat'), { label: 'L-hat (nats per token)' }, colours, 'chart-lhat'));
  const reflection = reflectionBlock(data);
  if (reflection) section.append(reflection);
  const multiples = renderMultiples(data, colours);
  if (multiples) section.append(multiples);
  return section;
}
