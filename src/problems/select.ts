import { InputError } from '../core/errors.ts';
import { seededRandom } from '../core/random.ts';
import type { Problem } from './problem.ts';

/** Filters a source applies, in this order: ids, levels, shuffle, limit. */
export interface Selection {
  ids?: (string | number)[];
  levels?: number[];
  shuffle?: { seed: number };
  limit?: number;
}

/**
 * A seeded Fisher-Yates shuffle: the same seed always gives the same order, on every platform,
 * and the result is a permutation of the input (the input is not modified).
 */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Applies a source's filters; `where` names the source in messages. Asking for ids that are not there is an error. */
export function selectProblems(problems: readonly Problem[], selection: Selection, where: string): Problem[] {
  let out = [...problems];
  if (selection.ids) {
    const byId = new Map(out.map((p) => [p.id, p]));
    const wanted = selection.ids.map(String);
    const missing = wanted.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, ... (${missing.length} in all)` : '');
      throw new InputError(`${where}: ids`, `not in the dataset: ${shown}`);
    }
    out = [...new Set(wanted)].map((id) => byId.get(id)!);
  }
  if (selection.levels) {
    if (!out.some((p) => p.difficulty !== undefined)) {
      throw new InputError(`${where}: levels`, 'the dataset has no difficulty levels (MATH-style "level" field)');
    }
    const levels = new Set(selection.levels);
    out = out.filter((p) => p.difficulty !== undefined && levels.has(p.difficulty));
  }
  if (selection.shuffle) out = seededShuffle(out, selection.shuffle.seed);
  if (selection.limit !== undefined) out = out.slice(0, selection.limit);
  return out;
}
