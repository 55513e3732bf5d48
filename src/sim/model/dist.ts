import type { SamplingOptions, TokenAlternative } from './types.ts';

/** A next-token distribution: the listed tokens, most likely first. Unlisted tokens share the rest (tiny). */
export interface Dist {
  tokens: string[];
  probs: number[];
}

/** Log-probability given to any token the distribution does not list. */
export const FLOOR_LOGPROB = -30;

export function logprobIn(dist: Dist, token: string): number {
  const i = dist.tokens.indexOf(token);
  const p = i >= 0 ? (dist.probs[i] ?? 0) : 0;
  return p > 0 ? Math.log(p) : FLOOR_LOGPROB;
}

/** Merges duplicates, sorts by probability (ties keep insertion order) and keeps at most `limit` entries. */
export function normalizeDist(rawTokens: string[], rawProbs: number[], limit = 20): Dist {
  // Merge duplicates: a token's probability is the sum over the ways of producing it.
  const tokens: string[] = [];
  const probs: number[] = [];
  rawTokens.forEach((t, i) => {
    const at = tokens.indexOf(t);
    if (at >= 0) probs[at] = (probs[at] ?? 0) + (rawProbs[i] ?? 0);
    else {
      tokens.push(t);
      probs.push(rawProbs[i] ?? 0);
    }
  });
  // Float rounding in conditional trie probabilities can exceed 1 by a hair; a probability never does.
  for (let i = 0; i < probs.length; i++) if ((probs[i] ?? 0) > 1) probs[i] = 1;
  const order = tokens.map((_, i) => i).sort((a, b) => (probs[b] ?? 0) - (probs[a] ?? 0) || a - b);
  const kept = order.filter((i) => (probs[i] ?? 0) > 0).slice(0, limit);
  return { tokens: kept.map((i) => tokens[i] ?? ''), probs: kept.map((i) => probs[i] ?? 0) };
}

export function topAlternatives(dist: Dist): TokenAlternative[] {
  return dist.tokens.map((token, i) => ({ token, logprob: Math.log(dist.probs[i] ?? 0) }));
}

/**
 * Picks an index: top_k and top_p on the raw distribution (as llama.cpp's default chain does),
 * then temperature; temperature 0 is argmax. `u` is a keyed uniform draw in [0, 1).
 */
export function sampleIndex(dist: Dist, options: SamplingOptions, u: number): number {
  const n = dist.tokens.length;
  if (n <= 1 || options.temperature <= 0) return 0;
  let keep = n;
  if (options.topK > 0) keep = Math.min(keep, options.topK);
  if (options.topP < 1) {
    let total = 0;
    for (let i = 0; i < keep; i++) total += dist.probs[i] ?? 0;
    let cumulative = 0;
    for (let i = 0; i < keep; i++) {
      cumulative += (dist.probs[i] ?? 0) / total;
      if (cumulative >= options.topP) {
        keep = i + 1;
        break;
      }
    }
  }
  const inv = 1 / options.temperature;
  const weights: number[] = [];
  let sum = 0;
  const p0 = dist.probs[0] ?? 1;
  for (let i = 0; i < keep; i++) {
    // Relative to the top probability so tiny probabilities at low temperature do not underflow to 0/0.
    const w = Math.pow((dist.probs[i] ?? 0) / p0, inv);
    weights.push(w);
    sum += w;
  }
  let r = u * sum;
  for (let i = 0; i < keep; i++) {
    r -= weights[i] ?? 0;
    if (r < 0) return i;
  }
  return keep - 1;
}
