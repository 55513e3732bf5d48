import { InputError } from '../core/errors.ts';

export interface ParetoPoint {
  id: string;
  /** Lower is better: e.g. mean total tokens or server work per problem. */
  cost: number;
  /** Higher is better. */
  accuracy: number;
}

/** p dominates q when it is no worse on both axes and strictly better on at least one. */
export function dominates(p: ParetoPoint, q: ParetoPoint): boolean {
  return p.cost <= q.cost && p.accuracy >= q.accuracy && (p.cost < q.cost || p.accuracy > q.accuracy);
}

/**
 * The cost-accuracy Pareto frontier across interventions: ids of the points that no other point
 * dominates, ordered by increasing cost (then id). Points with identical cost and accuracy do not
 * dominate each other, so all of them stay on the frontier. Sort-and-sweep, O(n log n).
 */
export function paretoFrontier(points: ReadonlyArray<ParetoPoint>): string[] {
  const seen = new Set<string>();
  points.forEach((point, index) => {
    if (seen.has(point.id)) throw new InputError(`paretoFrontier: point ${index}`, `a unique id, "${point.id}" appears twice`);
    seen.add(point.id);
    for (const field of ['cost', 'accuracy'] as const) {
      if (!Number.isFinite(point[field])) {
        throw new InputError(`paretoFrontier: point "${point.id}" ${field}`, `a finite number, got ${point[field]}`);
      }
    }
  });
  // Cheapest first; at equal cost the most accurate first.
  const sorted = [...points].sort((a, b) => a.cost - b.cost || b.accuracy - a.accuracy || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const frontier: ParetoPoint[] = [];
  let bestAccuracy = Number.NEGATIVE_INFINITY;
  for (const point of sorted) {
    const last = frontier[frontier.length - 1];
    if (point.accuracy > bestAccuracy) {
      frontier.push(point);
      bestAccuracy = point.accuracy;
    } else if (last && point.cost === last.cost && point.accuracy === last.accuracy) {
      frontier.push(point); // an exact tie with a frontier point
    }
  }
  return frontier.map((p) => p.id);
}
