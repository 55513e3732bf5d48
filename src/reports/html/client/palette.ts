import type { RunData } from '../../run-data.ts';

/**
 * One colour per intervention, the same in every chart of the report, so a colour never means two
 * things in neighbouring charts. Categories that are not interventions (e.g. "at reflection words")
 * use greys, which this palette never hands out.
 */
const INTERVENTION_COLOURS = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5', '#9c6b4e', '#9498a0'];

export interface ColourScale {
  domain: string[];
  range: string[];
}

/** In a comparison `A:baseline` and `B:baseline` are one intervention: one colour, told apart by symbol. */
export function comparedSide(data: RunData, label: string): 'A' | 'B' | undefined {
  if (!data.comparison) return undefined;
  return label.startsWith('A:') ? 'A' : label.startsWith('B:') ? 'B' : undefined;
}

function baseLabel(data: RunData, label: string): string {
  return comparedSide(data, label) ? label.slice(2) : label;
}

export function interventionColours(data: RunData): ColourScale {
  const domain = data.interventions.map((i) => i.label);
  for (const r of data.results) if (!domain.includes(r.intervention)) domain.push(r.intervention);
  const bases: string[] = [];
  for (const label of domain) if (!bases.includes(baseLabel(data, label))) bases.push(baseLabel(data, label));
  return { domain, range: domain.map((label) => INTERVENTION_COLOURS[bases.indexOf(baseLabel(data, label)) % INTERVENTION_COLOURS.length] ?? '#666') };
}

export const NEUTRAL_COLOURS = ['#9aa5b1', '#1d2329'];

/** Problem ids in reading order: p2 before p10. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}
