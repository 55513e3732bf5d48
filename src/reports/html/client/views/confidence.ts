import * as Plot from '@observablehq/plot';
import type { ResultSummary, RunData } from '../../../run-data.ts';
import { el } from '../dom.ts';

const BINS = 20;

interface BandPoint {
  intervention: string;
  x: number;
  mean: number;
  low: number;
  high: number;
}

/** Mean and 95% normal band per normalized-position bin, per intervention. */
export function bandByPosition(results: ResultSummary[], value: 'pCorrect' | 'lhat'): BandPoint[] {
  const sums = new Map<string, { n: number[]; sum: number[]; sq: number[] }>();
  for (const r of results) {
    for (const p of r.confidence) {
      const v = p[value];
      // Bounded L-hat values are bounds, not measurements: they would bias the mean.
      if (typeof v !== 'number' || !Number.isFinite(v) || p.bounded === true) continue;
      let acc = sums.get(r.intervention);
      if (!acc) {
        acc = { n: new Array<number>(BINS + 1).fill(0), sum: new Array<number>(BINS + 1).fill(0), sq: new Array<number>(BINS + 1).fill(0) };
        sums.set(r.intervention, acc);
      }
      const bin = Math.min(BINS, Math.max(0, Math.round(p.normalized * BINS)));
      acc.n[bin] = (acc.n[bin] ?? 0) + 1;
      acc.sum[bin] = (acc.sum[bin] ?? 0) + v;
      acc.sq[bin] = (acc.sq[bin] ?? 0) + v * v;
    }
  }
  const out: BandPoint[] = [];
  for (const [intervention, acc] of sums) {
    for (let bin = 0; bin <= BINS; bin++) {
      const n = acc.n[bin] ?? 0;
      if (n === 0) continue;
      const mean = (acc.sum[bin] ?? 0) / n;
      const variance = n > 1 ? Math.max(0, ((acc.sq[bin] ?? 0) - n * mean * mean) / (n - 1)) : 0;
      const half = 1.96 * Math.sqrt(variance / n);
      // Probabilities live in [0, 1] and L-hat in [0, inf): a normal band must not leave them.
      const top = value === 'pCorrect' ? 1 : Number.POSITIVE_INFINITY;
      out.push({ intervention, x: bin / BINS, mean, low: Math.max(0, mean - half), high: Math.min(top, mean + half) });
    }
  }
  return out;
}

function bandChart(points: BandPoint[], yLabel: string, className: string): Element {
  const chart = Plot.plot({
    width: 440,
    height: 300,
    marginLeft: 50,
    grid: true,
    color: { legend: true },
    x: { label: 'position in the thinking (normalized)', domain: [0, 1] },
    y: { label: yLabel, nice: true },
    marks: [
      Plot.areaY(points, { x: 'x', y1: 'low', y2: 'high', fill: 'intervention', fillOpacity: 0.15 }),
      Plot.line(points, { x: 'x', y: 'mean', stroke: 'intervention' }),
    ],
  });
  chart.classList.add('chart', className);
  return chart;
}

export function renderConfidence(data: RunData): HTMLElement {
  const section = el('section', { id: 'confidence' }, el('h2', {}, 'Confidence along the trace'));
  const p = bandByPosition(data.results, 'pCorrect');
  const l = bandByPosition(data.results, 'lhat');
  if (p.length === 0 && l.length === 0) {
    section.append(el('p', { class: 'hint' }, 'This run measured no confidence probes.'));
    return section;
  }
  section.append(
    el('p', { class: 'hint' }, 'Mean over traces with a 95% band. L-hat is RaML\u2019s teacher-forced loss of the reference answer: it falls as reasoning converges.'),
    el('div', { class: 'row' }, p.length ? bandChart(p, 'p(correct)', 'chart-pcorrect') : null, l.length ? bandChart(l, 'L-hat', 'chart-lhat') : null),
  );

  if (data.reflectionShift && data.reflectionShift.length > 0) {
    const rows = data.reflectionShift.flatMap((s) => [
      { intervention: s.intervention, where: 'at reflection words', value: s.atReflection },
      { intervention: s.intervention, where: 'all positions', value: s.allPositions },
    ]);
    const chart = Plot.plot({
      width: 600,
      height: 260,
      marginLeft: 60,
      marginBottom: 60,
      color: { legend: true },
      x: { label: null, tickRotate: -20 },
      y: { label: 'mean relative change of L-hat', grid: true },
      marks: [Plot.barY(rows, { fx: 'intervention', x: 'where', y: 'value', fill: 'where' }), Plot.ruleY([0])],
    });
    chart.classList.add('chart', 'chart-reflection');
    section.append(el('h2', {}, 'Reflection words (RaML Figure 6)'), chart);
  }

  const byProblem = new Map<string, ResultSummary[]>();
  for (const r of data.results) if (r.confidence.length > 1) byProblem.set(r.problemId, [...(byProblem.get(r.problemId) ?? []), r]);
  const multiples = el('div', { class: 'multiples' });
  for (const [problemId, results] of [...byProblem].slice(0, 24)) {
    const pts = results.flatMap((r) =>
      r.confidence.map((c) => ({ x: c.normalized, y: c.lhat ?? c.pCorrect ?? NaN, series: `${r.intervention} #${r.sample}`, correct: r.correct })),
    );
    const chart = Plot.plot({
      width: 220,
      height: 140,
      marginLeft: 36,
      x: { domain: [0, 1], label: null, ticks: 2 },
      y: { label: null, ticks: 3 },
      marks: [Plot.line(pts, { x: 'x', y: 'y', z: 'series', stroke: (d: { correct: boolean }) => (d.correct ? '#2a7' : '#d43'), strokeOpacity: 0.7 })],
    });
    chart.classList.add('chart', 'chart-multiple');
    multiples.append(el('figure', {}, el('figcaption', {}, problemId), chart));
  }
  if (byProblem.size > 0) section.append(el('h2', {}, 'Per problem (green: correct, red: wrong)'), multiples);
  return section;
}
