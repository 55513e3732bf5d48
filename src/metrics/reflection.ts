import { InputError } from '../core/errors.ts';
import { findReflections, REFLECTION_WORDS } from '../confidence/positions.ts';
import type { CurvePoint } from './curves.ts';
import { mean } from './mean.ts';

/**
 * RaML's Figure 6 statistic (arXiv 2505.19815): reflection words sit at large relative jumps of
 * L-hat. We compare the mean relative change |L(k+1) - L(k)| / |L(k)| over the steps where a
 * reflection word starts with the mean over all steps; RaML report about 2x at "Wait" for QwQ-32B.
 *
 * Positions: L(k) is L-hat measured after the first k thinking tokens, and step k (from L(k) to
 * L(k+1)) is the one that adds token k. A reflection word "starts at" token k when its first
 * character lies inside token k: a word may begin mid-token (" Wait" with its leading space,
 * "\n\nHmm") or span several tokens ("Altern" + "atively"); either way it is counted once, at
 * the token holding its first character.
 */

/**
 * Reflection phrases: the same list and matcher the confidence stage uses to schedule probes at
 * reflection words (src/confidence/positions.ts), so the statistic and the probes agree on what
 * a reflection is: whole words, case-sensitive by default, any whitespace inside phrases,
 * overlapping phrases ("But wait") counted once at their earliest start.
 */
export const defaultReflectionWords: readonly string[] = REFLECTION_WORDS;

export interface ReflectionShift {
  /** Mean relative change of L-hat over steps where a reflection word starts (NaN if none). */
  atReflection: number;
  /** Mean relative change of L-hat over all steps with a defined change. */
  allPositions: number;
  /** atReflection / allPositions. */
  ratio: number;
  /** Number of reflection steps that entered atReflection. */
  count: number;
}

/**
 * Token indices where a reflection word starts in the concatenation of `tokens` (each index
 * once, ascending).
 */
export function findReflectionPositions(tokens: readonly string[], words: readonly string[] = defaultReflectionWords): number[] {
  if (words.length === 0) throw new InputError('reflection words', 'at least one word');
  const indices = findReflections(tokens, { words }).map((hit) => hit.tokenIndex);
  return [...new Set(indices)].sort((a, b) => a - b);
}

/**
 * Token indices where a reflection word starts, given the trace text and the character offset at
 * which each token starts (ascending; the harness knows them from the generated tokens). Text
 * before the first offset belongs to no token and is ignored.
 */
export function reflectionPositionsInText(
  text: string,
  tokenOffsets: readonly number[],
  words: readonly string[] = defaultReflectionWords,
): number[] {
  tokenOffsets.forEach((offset, i) => {
    if (!Number.isInteger(offset) || offset < 0 || offset > text.length || (i > 0 && offset < tokenOffsets[i - 1]!)) {
      throw new InputError(`reflection: token offset ${i}`, `ascending integer offsets within the text (0..${text.length}), got ${offset}`);
    }
  });
  if (tokenOffsets.length === 0) return [];
  // Slice the text back into tokens; a leading piece before the first token is index -1.
  const pieces = [text.slice(0, tokenOffsets[0]), ...tokenOffsets.map((offset, i) => text.slice(offset, tokenOffsets[i + 1] ?? text.length))];
  return findReflectionPositions(pieces, words)
    .map((index) => index - 1)
    .filter((index) => index >= 0);
}

/**
 * The statistic from measurements at arbitrary positions (probes every N tokens, at fractions...):
 * points are L-hat at prefix lengths; the step between consecutive points p(j) -> p(j+1) covers
 * tokens p(j) .. p(j+1)-1 and is a reflection step when a reflection word starts in that range.
 * Steps whose start value is 0 or non-finite have no relative change and are skipped.
 */
export function reflectionShiftAt(points: ReadonlyArray<CurvePoint>, reflectionPositions: readonly number[]): ReflectionShift {
  const sorted = [...points].sort((a, b) => a.position - b.position);
  const reflections = [...reflectionPositions].sort((a, b) => a - b);
  const all: number[] = [];
  const atReflection: number[] = [];
  let r = 0;
  for (let j = 0; j + 1 < sorted.length; j++) {
    const from = sorted[j]!;
    const to = sorted[j + 1]!;
    if (from.position === to.position) continue;
    while (r < reflections.length && reflections[r]! < from.position) r++;
    const isReflection = r < reflections.length && reflections[r]! < to.position;
    if (!Number.isFinite(from.value) || !Number.isFinite(to.value) || from.value === 0) continue;
    const change = Math.abs(to.value - from.value) / Math.abs(from.value);
    all.push(change);
    if (isReflection) atReflection.push(change);
  }
  const at = mean(atReflection);
  const overall = mean(all);
  return { atReflection: at, allPositions: overall, ratio: at / overall, count: atReflection.length };
}

/**
 * RaML's statistic at token resolution: `lhat[k]` is L-hat after the first k tokens, so
 * lhat.length must be tokens.length + 1 (k = 0 .. n). For sparser probes, or when the harness has
 * the text and token offsets, use reflectionShiftAt with reflectionPositionsInText.
 */
export function reflectionShift(
  lhat: readonly number[],
  tokens: readonly string[],
  words: readonly string[] = defaultReflectionWords,
): ReflectionShift {
  if (lhat.length !== tokens.length + 1) {
    throw new InputError(
      'reflectionShift: lhat',
      `one value per prefix length 0..${tokens.length} (${tokens.length + 1} values), got ${lhat.length}`,
    );
  }
  return reflectionShiftAt(
    lhat.map((value, position) => ({ position, value })),
    findReflectionPositions(tokens, words),
  );
}

/** One trace's L-hat measurements and the token positions where its reflection words start. */
/** Whether a marked reflection word is the word a statistic asks about: case- and spacing-insensitive, as the reflectionShift check compares. */
export function sameReflectionWord(a: string, b: string): boolean {
  return a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();
}

export interface ReflectionTrace {
  points: ReadonlyArray<CurvePoint>;
  reflectionPositions: readonly number[];
}

export interface PooledReflectionShift extends ReflectionShift {
  /** Traces with at least two measurements (the others have no step to measure). */
  traces: number;
  /** Steps with a defined relative change, over all traces. */
  steps: number;
}

/**
 * reflectionShiftAt pooled over many traces: every step of every trace weighs the same (a trace
 * contributes in proportion to its number of steps), rather than every trace's own mean. Traces
 * with fewer than two points are left out. `count` is the number of reflection steps; both means
 * are NaN when there are none to average.
 */
export function pooledReflectionShift(traces: ReadonlyArray<ReflectionTrace>): PooledReflectionShift {
  let atSum = 0;
  let atCount = 0;
  let allSum = 0;
  let allCount = 0;
  let used = 0;
  for (const trace of traces) {
    if (trace.points.length < 2) continue;
    used++;
    const at = reflectionShiftAt(trace.points, trace.reflectionPositions);
    // Every step starts at a measured position, so marking them all counts every valid step.
    const all = reflectionShiftAt(trace.points, trace.points.map((p) => p.position));
    if (at.count > 0) {
      atSum += at.atReflection * at.count;
      atCount += at.count;
    }
    if (all.count > 0) {
      allSum += all.allPositions * all.count;
      allCount += all.count;
    }
  }
  const atReflection = atCount > 0 ? atSum / atCount : Number.NaN;
  const allPositions = allCount > 0 ? allSum / allCount : Number.NaN;
  return { atReflection, allPositions, ratio: atReflection / allPositions, count: atCount, traces: used, steps: allCount };
}
