import * as Plot from '@observablehq/plot';
import type { RunData } from '../../../run-data.ts';
import { clusterNote } from '../clustering.ts';
import { el } from '../dom.ts';
import { comparedSide, interventionColours } from '../palette.ts';
import { paddedDomain, placeLabels, type Frame } from './cost-labels.ts';
import { renderEstimate } from './estimate.ts';

const TOKENS = ',.0f';

function scatterChart(data: RunData): Element {
  const colours = interventionColours(data);
  const points = data.interventions.map((i) => ({
    label: i.label,
    cost: i.meanThinkingTokens + i.meanAnswerTokens,
    accuracy: i.accuracy.estimate,
    low: i.accuracy.low,
    high: i.accuracy.high,
    frontier: i.onParetoFrontier === true,
    side: comparedSide(data, i.label) ?? 'run',
  }));
  const frontier = points.filter((p) => p.frontier).sort((a, b) => a.cost - b.cost);
  const xDomain = paddedDomain(points.map((p) => p.cost));
  const frame: Frame = { width: 900, height: 420, left: 64, right: 30, top: 24, bottom: 44 };
  const labels = placeLabels(points.map((p) => ({ x: p.cost, y: p.accuracy, text: p.label })), frame, xDomain, [0, 1]);
  const chart = Plot.plot({
    width: frame.width,
    height: frame.height,
    marginLeft: frame.left,
    marginRight: frame.right,
    marginTop: frame.top,
    marginBottom: frame.bottom,
    grid: true,
    color: colours,
    ...(data.comparison ? { symbol: { domain: ['A', 'B'], range: ['circle', 'triangle'], legend: true } } : {}),
    x: { label: 'mean tokens per answer (thinking + answer)', domain: xDomain, tickFormat: TOKENS, ticks: 6 },
    y: { label: 'accuracy', domain: [0, 1], tickFormat: '%' },
    marks: [
      Plot.line(frontier, { x: 'cost', y: 'accuracy', stroke: '#999', strokeDasharray: '4,3', curve: 'step-after' }),
      Plot.ruleX(points, { x: 'cost', y1: 'low', y2: 'high', stroke: 'label', strokeOpacity: 0.6 }),
      Plot.dot(points, { x: 'cost', y: 'accuracy', fill: 'label', ...(data.comparison ? { symbol: 'side' } : {}), r: 5, stroke: (p: { frontier: boolean }) => (p.frontier ? 'black' : 'none'), tip: true }),
      ...labels.map((l) => Plot.text([l], { x: 'x', y: 'y', text: 'text', dx: l.dx, dy: l.dy, textAnchor: l.anchor, fontSize: 11, fill: '#1d2329' })),
    ],
  });
  chart.classList.add('chart', 'chart-cost');
  return chart;
}

interface BudgetPoint {
  side: string;
  budget: number;
  accuracy: number;
  low: number;
  high: number;
  tokens: number;
}

function bySide(budgets: BudgetPoint[]): Array<[string, BudgetPoint[]]> {
  const sides = [...new Set(budgets.map((b) => b.side))];
  return sides.map((side) => [side, budgets.filter((b) => b.side === side)]);
}

/** In a comparison B's curves are dashed, A's solid. */
function dash(side: string): { strokeDasharray?: string } {
  return side === 'B' ? { strokeDasharray: '5,3' } : {};
}

function budgetCharts(budgets: BudgetPoint[]): Element {
  const ticks = [...new Set(budgets.map((b) => b.budget))].sort((a, b) => a - b);
  const wide = ticks.length > 1 && (ticks[ticks.length - 1] ?? 1) / (ticks[0] ?? 1) >= 8;
  const x = { type: wide ? ('log' as const) : ('linear' as const), label: 'thinking budget (tokens)', ticks, tickFormat: TOKENS, ...(wide ? {} : { domain: paddedDomain(ticks) }) };
  const accuracy = Plot.plot({
    width: 440,
    height: 300,
    marginLeft: 56,
    marginRight: 24,
    grid: true,
    x,
    y: { label: 'accuracy', domain: [0, 1], tickFormat: '%' },
    marks: [
      Plot.areaY(budgets, { x: 'budget', y1: 'low', y2: 'high', z: 'side', fillOpacity: 0.15 }),
      ...bySide(budgets).map(([side, rows]) => Plot.line(rows, { x: 'budget', y: 'accuracy', marker: 'circle', ...dash(side) })),
    ],
  });
  accuracy.classList.add('chart', 'chart-budget-accuracy');
  const tokens = Plot.plot({
    width: 440,
    height: 300,
    marginLeft: 64,
    marginRight: 24,
    grid: true,
    x,
    y: { label: 'mean thinking tokens', nice: true, tickFormat: TOKENS },
    marks: [...bySide(budgets).map(([side, rows]) => Plot.line(rows, { x: 'budget', y: 'tokens', marker: 'circle', ...dash(side) })), Plot.ruleY([0])],
  });
  tokens.classList.add('chart', 'chart-budget-tokens');
  return el('div', { class: 'row' }, accuracy, tokens);
}

/** Cost against accuracy: one point per intervention with its interval, the Pareto frontier, budget curves. */
export function renderCost(data: RunData): HTMLElement {
  const clustered = clusterNote(data);
  const section = el(
    'section',
    { id: 'cost' },
    el('h2', {}, 'Cost against accuracy'),
    el('p', { class: 'hint' }, 'One point per intervention, coloured as in every chart of this report. Bars are 95% intervals of accuracy; the dashed line is the Pareto frontier (outlined points).'),
    clustered ? el('p', { class: 'hint interval-note' }, `Accuracy intervals here and in the budget curves: ${clustered}.`) : null,
    scatterChart(data),
  );
  const budgets = data.interventions
    .filter((i) => typeof i.budget === 'number')
    .map((i) => ({ side: comparedSide(data, i.label) ?? 'run', budget: i.budget as number, accuracy: i.accuracy.estimate, low: i.accuracy.low, high: i.accuracy.high, tokens: i.meanThinkingTokens }))
    .sort((a, b) => a.budget - b.budget);
  const distinct = new Set(budgets.map((b) => b.budget)).size;
  const sides = data.comparison ? ' (A solid, B dashed)' : '';
  if (distinct > 1) section.append(el('h2', {}, `Budget curves${sides}`), budgetCharts(budgets));
  else if (distinct === 1) section.append(el('p', { class: 'hint budget-note' }, 'One budget in this suite: a budget curve needs two or more (e.g. budget(256), budget(512), budget(1024)).'));
  section.append(...renderEstimate(data));
  return section;
}
