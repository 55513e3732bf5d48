import { InputError } from '../core/errors.ts';
import type { CurvePoint } from './curves.ts';

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

/** Reflection words after RaML and NoWait; matched case-insensitively as whole words. */
export const defaultReflectionWords: readonly string[] = [
  'Wait',
  'Alternatively',
  'Hold on',
  'Hmm',
  'Let me double-check',
  'Let me verify',
];

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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function wordPattern(words: readonly string[]): RegExp {
  if (words.length === 0) throw new InputError('reflection words', 'at least one word');
  const alternatives = words.map((word, index) => {
    const trimmed = word.trim();
    if (trimmed === '') throw new InputError(`reflection words: word ${index}`, 'a non-empty word');
    return trimmed.split(/\s+/).map(escapeRegExp).join('\\s+');
  });
  // Longest first so "Hold on" wins over a shorter word sharing its start.
  alternatives.sort((a, b) => b.length - a.length);
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
}

/**
 * Token indices where a reflection word starts, given the trace text and the character offset at
 * which each token starts (ascending; the harness knows them from the generated tokens).
 */
export function reflectionPositionsInText(
  text: string,
  tokenOffsets: readonly number[],
  words: readonly string[] = defaultReflectionWords,
): number[] {
  for (let i = 1; i < tokenOffsets.length; i++) {
    if (!(tokenOffsets[i]! >= tokenOffsets[i - 1]!)) {
      throw new InputError(`reflection: token offset ${i}`, 'offsets in ascending order');
    }
  }
  const positions = new Set<number>();
  for (const match of text.matchAll(wordPattern(words))) {
    const start = match.index;
    // The token holding the first character: the last token starting at or before it.
    let lo = 0;
    let hi = tokenOffsets.length - 1;
    if (hi < 0 || tokenOffsets[0]! > start) continue;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (tokenOffsets[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    positions.add(lo);
  }
  return [...positions].sort((a, b) => a - b);
}

/** Token indices where a reflection word starts in the concatenation of `tokens`. */
export function findReflectionPositions(tokens: readonly string[], words: readonly string[] = defaultReflectionWords): number[] {
  const offsets: number[] = [];
  let text = '';
  for (const token of tokens) {
    offsets.push(text.length);
    text += token;
  }
  return reflectionPositionsInText(text, offsets, words);
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;
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
