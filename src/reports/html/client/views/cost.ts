import * as Plot from '@observablehq/plot';
import type { RunData } from '../../../run-data.ts';
import { el } from '../dom.ts';

/** Cost against accuracy: one point per intervention with its interval, the Pareto frontier, budget curves. */
export function renderCost(data: RunData): HTMLElement {
  const points = data.interventions.map((i) => ({
    label: i.label,
    cost: i.meanThinkingTokens + i.meanAnswerTokens,
    accuracy: i.accuracy.estimate,
    low: i.accuracy.low,
    high: i.accuracy.high,
    frontier: i.onParetoFrontier === true,
  }));
  const frontier = points.filter((p) => p.frontier).sort((a, b) => a.cost - b.cost);
  // Interventions that land on the same spot (e.g. probes on the baseline) share one label.
  const span = Math.max(1, ...points.map((p) => p.cost));
  const spots = new Map<string, { cost: number; accuracy: number; text: string }>();
  for (const p of points) {
    const spot = `${Math.round((60 * p.cost) / span)}:${Math.round(p.accuracy * 60)}`;
    const seen = spots.get(spot);
    if (seen) seen.text += `, ${p.label}`;
    else spots.set(spot, { cost: p.cost, accuracy: p.accuracy, text: p.label });
  }

  const scatter = Plot.plot({
    width: 900,
    height: 420,
    marginLeft: 60,
    marginRight: 140,
    grid: true,
    x: { label: 'mean tokens per answer (thinking + answer)', nice: true },
    y: { label: 'accuracy', domain: [0, 1], tickFormat: '%' },
    marks: [
      Plot.line(frontier, { x: 'cost', y: 'accuracy', stroke: '#999', strokeDasharray: '4,3', curve: 'step-after' }),
      Plot.ruleX(points, { x: 'cost', y1: 'low', y2: 'high', stroke: 'label', strokeOpacity: 0.6 }),
      Plot.dot(points, { x: 'cost', y: 'accuracy', fill: 'label', r: 5, stroke: (p: { frontier: boolean }) => (p.frontier ? 'black' : 'none'), tip: true }),
      Plot.text([...spots.values()], { x: 'cost', y: 'accuracy', text: 'text', dx: 8, textAnchor: 'start', fontSize: 11 }),
    ],
  });
  scatter.classList.add('chart', 'chart-cost');

  const section = el(
    'section',
    { id: 'cost' },
    el('h2', {}, 'Cost against accuracy'),
    el('p', { class: 'hint' }, 'Bars are 95% Wilson intervals; the dashed line is the Pareto frontier (outlined points).'),
    scatter,
  );

  const budgets = data.interventions
    .filter((i) => typeof i.budget === 'number')
    .map((i) => ({ budget: i.budget as number, accuracy: i.accuracy.estimate, low: i.accuracy.low, high: i.accuracy.high, tokens: i.meanThinkingTokens }))
    .sort((a, b) => a.budget - b.budget);
  if (budgets.length > 0) {
    const accuracy = Plot.plot({
      width: 440,
      height: 300,
      marginLeft: 50,
      grid: true,
      x: { type: 'log', base: 2, label: 'thinking budget (tokens)' },
      y: { label: 'accuracy', domain: [0, 1], tickFormat: '%' },
      marks: [
        Plot.areaY(budgets, { x: 'budget', y1: 'low', y2: 'high', fillOpacity: 0.15 }),
        Plot.line(budgets, { x: 'budget', y: 'accuracy', marker: 'circle' }),
      ],
    });
    accuracy.classList.add('chart', 'chart-budget-accuracy');
    const tokens = Plot.plot({
      width: 440,
      height: 300,
      marginLeft: 60,
      grid: true,
      x: { type: 'log', base: 2, label: 'thinking budget (tokens)' },
      y: { label: 'mean thinking tokens', nice: true },
      marks: [Plot.line(budgets, { x: 'budget', y: 'tokens', marker: 'circle' }), Plot.ruleY([0])],
    });
    tokens.classList.add('chart', 'chart-budget-tokens');
    section.append(el('h2', {}, 'Budget curves'), el('div', { class: 'row' }, accuracy, tokens));
  }
  return section;
}
