import { InputError } from '../core/errors.ts';

/**
 * Where along a trace to probe the model's confidence. Pure functions; the engine calls them to
 * schedule probes on a trunk it has generated.
 *
 * A *position* k is a number of generated trace tokens: the probe at k sees the rendered prompt
 * plus the first k tokens of the trace (k = 0: nothing thought yet; k = total: the whole trace).
 * Every function returns positions sorted ascending without duplicates, the order in which probes
 * along one trunk reuse the server's KV cache best.
 */

/** Reflection phrases RaML, DEER and NoWait look at. Matched case-sensitively by default. */
export const REFLECTION_WORDS: readonly string[] = [
  'Wait',
  'But wait',
  'Alternatively',
  'Hmm',
  'Hold on',
  'Let me double-check',
  'Let me check',
  'Let me verify',
  'On second thought',
];

export interface ReflectionHit {
  /** The entry of the word list that matched (the longest one when phrases overlap, e.g. "But wait" over "wait"). */
  word: string;
  /** Index of the token holding the phrase's first character: the probe "at" this word sees tokens [0, tokenIndex). */
  tokenIndex: number;
  /** Character offset of the phrase in the concatenated trace text. */
  charOffset: number;
}

export interface ReflectionOptions {
  words?: readonly string[];
  /** Default true: "Wait," starts a reflection, "wait for the bus" in a word problem does not. */
  caseSensitive?: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One regex per phrase: whole words only (no letter or digit on either side), any run of
 * whitespace between its words (a trace may break a line inside "Hold on"), and a trailing doubled
 * letter may repeat ("Hmm" also finds "Hmmm").
 */
function phrasePattern(phrase: string, caseSensitive: boolean): RegExp {
  const words = phrase.trim().split(/\s+/).map(escapeRegExp);
  let body = words.join('\\s+');
  const last = phrase.trim().slice(-2);
  if (last.length === 2 && last[0] === last[1] && /\p{L}/u.test(last)) body += `${escapeRegExp(last[0]!)}*`;
  return new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, caseSensitive ? 'gu' : 'giu');
}

interface CompiledPhrase {
  pattern: RegExp;
  /**
   * Case-sensitive only: the phrase's first word, which every match starts with verbatim. The
   * search starts at its first occurrence and is skipped when it does not occur (most phrases are
   * absent from most traces, and a unicode regex with a lookbehind scans slowly).
   */
  literal: string | undefined;
}

/**
 * Compiled phrase patterns by case mode and phrase. Grading and the engine's online scan call
 * findReflections per trace and per streamed chunk with the same few phrases: compiling nine
 * unicode regexes each time cost more than matching them. Bounded, since user lists are arbitrary.
 */
const compiled = { sensitive: new Map<string, CompiledPhrase>(), insensitive: new Map<string, CompiledPhrase>() };
const MAX_COMPILED = 512;

function cachedPattern(phrase: string, caseSensitive: boolean): CompiledPhrase {
  // One map per case mode, keyed by the phrase itself: no key string built per lookup.
  const cache = caseSensitive ? compiled.sensitive : compiled.insensitive;
  let entry = cache.get(phrase);
  if (entry === undefined) {
    if (cache.size >= MAX_COMPILED) cache.clear();
    const first = phrase.trim().split(/\s+/)[0]!;
    // A word starting inside a surrogate pair would put the search mid-character: no shortcut then.
    const literal = caseSensitive && !/^[\uD800-\uDFFF]/.test(first) ? first : undefined;
    entry = { pattern: phrasePattern(phrase, caseSensitive), literal };
    cache.set(phrase, entry);
  }
  return entry;
}

/**
 * Finds where reflection phrases start in a generated trace, across token boundaries: the tokens
 * are joined, phrases are found in the text, and each is mapped back to the token that holds its
 * first character ("Wa" + "it" is found at the "Wa" token; ".\n\nWait" at that token).
 */
export function findReflections(tokens: readonly string[], options: ReflectionOptions = {}): ReflectionHit[] {
  const words = options.words ?? REFLECTION_WORDS;
  const caseSensitive = options.caseSensitive ?? true;
  const starts = new Array<number>(tokens.length);
  let length = 0;
  for (let i = 0; i < tokens.length; i++) {
    starts[i] = length;
    length += tokens[i]!.length;
  }
  const text = tokens.join('');
  const spans: { start: number; end: number; word: string }[] = [];
  for (const word of words) {
    if (word.trim() === '') throw new InputError('reflection words', 'non-empty phrases');
    const { pattern, literal } = cachedPattern(word, caseSensitive);
    const from = literal === undefined ? 0 : text.indexOf(literal);
    if (from < 0) continue;
    // exec over the shared pattern (matchAll would copy it): no pattern matches '' (a phrase is
    // non-empty), so this finds exactly matchAll's matches; findReflections never yields mid-loop.
    // Starting at `from` skips no match: the lookbehind still reads the text before it.
    pattern.lastIndex = from;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      spans.push({ start: match.index, end: match.index + match[0].length, word });
    }
  }
  // Overlapping matches are one reflection: keep the earliest start, then the longest phrase.
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const hits: ReflectionHit[] = [];
  let coveredUntil = -1;
  for (const span of spans) {
    if (span.start < coveredUntil) continue;
    coveredUntil = span.end;
    hits.push({ word: span.word, tokenIndex: tokenAt(starts, span.start), charOffset: span.start });
  }
  return hits;
}

/**
 * Index of the last token starting at or before `offset` (binary search over token starts). Taking
 * the last one skips empty tokens that start at the same offset: the character is in the next one.
 */
function tokenAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function checkTotal(total: number): void {
  if (!Number.isInteger(total) || total < 0) throw new InputError('probe positions: total', `a token count >= 0 (got ${total})`);
}

export interface EveryOptions {
  /** Also probe at 0 (before any thinking). Default false. */
  includeStart?: boolean;
  /** Also probe at the end of the trace when it is not a multiple of n. Default false. */
  includeEnd?: boolean;
}

/** n, 2n, 3n, ... up to the trace's length (Dynasor's "every T tokens"). */
export function everyNTokens(total: number, n: number, options: EveryOptions = {}): number[] {
  checkTotal(total);
  if (!Number.isInteger(n) || n < 1) throw new InputError('probes: every', `a whole number of tokens >= 1 (got ${n})`);
  const positions: number[] = options.includeStart ? [0] : [];
  for (let k = n; k <= total; k += n) positions.push(k);
  if (options.includeEnd && positions[positions.length - 1] !== total) positions.push(total);
  return positions;
}

/** round(f * total) for each fraction f in [0, 1] (probes at 10%, 20%, ... of a trace). */
export function atFractions(total: number, fractions: readonly number[]): number[] {
  checkTotal(total);
  for (const [i, f] of fractions.entries()) {
    if (!Number.isFinite(f) || f < 0 || f > 1) throw new InputError(`probes: fractions/${i}`, `a number between 0 and 1 (got ${f})`);
  }
  return sortedUnique(fractions.map((f) => Math.round(f * total)));
}

/** The positions just before each reflection phrase (the prefix ends where the phrase's token starts). */
export function atReflections(tokens: readonly string[], options: ReflectionOptions = {}): number[] {
  return sortedUnique(findReflections(tokens, options).map((hit) => hit.tokenIndex));
}

/**
 * Every position 0..total for a short trace. A trace longer than `maxProbes - 1` tokens is probed
 * every ceil(total / (maxProbes - 1)) tokens plus its end instead, so the number of probes stays
 * within `maxProbes` whatever the model writes.
 */
export function everyToken(total: number, maxProbes = 257): number[] {
  checkTotal(total);
  if (!Number.isInteger(maxProbes) || maxProbes < 2) throw new InputError('probes: maxProbes', `a whole number >= 2 (got ${maxProbes})`);
  const step = Math.max(1, Math.ceil(total / (maxProbes - 1)));
  return everyNTokens(total, step, { includeStart: true, includeEnd: true });
}

export type ProbeSchedule =
  | { kind: 'every'; tokens: number; includeStart?: boolean; includeEnd?: boolean }
  | { kind: 'fractions'; at: readonly number[] }
  | { kind: 'reflections'; words?: readonly string[]; caseSensitive?: boolean }
  | { kind: 'all'; maxProbes?: number };

/** Positions for one or more schedules over a generated trace, merged, ascending, without duplicates. */
export function probePositions(schedules: ProbeSchedule | readonly ProbeSchedule[], traceTokens: readonly string[]): number[] {
  const list: readonly ProbeSchedule[] = Array.isArray(schedules) ? schedules : [schedules as ProbeSchedule];
  const total = traceTokens.length;
  const all: number[] = [];
  for (const schedule of list) {
    switch (schedule.kind) {
      case 'every':
        all.push(...everyNTokens(total, schedule.tokens, schedule));
        break;
      case 'fractions':
        all.push(...atFractions(total, schedule.at));
        break;
      case 'reflections':
        all.push(...atReflections(traceTokens, schedule));
        break;
      case 'all':
        all.push(...everyToken(total, schedule.maxProbes));
        break;
    }
  }
  return sortedUnique(all);
}

/** The text a probe at position k continues: the rendered prompt plus the first k trace tokens. */
export function prefixAt(renderedPrompt: string, traceTokens: readonly string[], k: number): string {
  if (!Number.isInteger(k) || k < 0 || k > traceTokens.length) {
    throw new InputError('probe position', `a whole number between 0 and ${traceTokens.length} (got ${k})`);
  }
  return renderedPrompt + traceTokens.slice(0, k).join('');
}

function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}
