import type { TokenChoice } from '../backends/backend.ts';

/**
 * Which of the model's offered tokens continue a reference text. Pure; the teacher-forced scorer
 * (teacher-forced.ts) calls it at every position.
 */

export interface Candidate {
  text: string;
  logprob: number;
  /** 1-based rank among the top logprobs, or null when only the sampled token offered it (outside the top list). */
  rank: number | null;
}

/**
 * The entries whose text is a non-empty prefix of `remaining`, longest first (ties: most likely
 * first). The sampled token counts too: when it continues the reference but is outside the top
 * list, its logprob is still exact.
 *
 * Why longest first: the reference was written by a tokenizer that produced one tokenization, and
 * BPE-style tokenizers merge greedily, so of `1` and `12` both offered for the reference `12`, the
 * real tokenization is almost always `12`. Shorter candidates are kept as fallbacks: the scorer
 * backtracks to them only if the longer choice later leaves the rest of the reference unmatchable.
 * An entry that runs past the end of the reference (`2}` for the reference `2`) does not match:
 * the reference's own tokens are what is scored.
 */
export function continuations(remaining: string, top: readonly TokenChoice[], sampled?: TokenChoice): Candidate[] {
  const byText = new Map<string, Candidate>();
  top.forEach((entry, i) => {
    if (entry.text !== '' && remaining.startsWith(entry.text) && !byText.has(entry.text)) {
      byText.set(entry.text, { text: entry.text, logprob: entry.logprob, rank: i + 1 });
    }
  });
  if (sampled && sampled.text !== '' && remaining.startsWith(sampled.text) && !byText.has(sampled.text)) {
    byText.set(sampled.text, { text: sampled.text, logprob: sampled.logprob, rank: null });
  }
  return [...byText.values()].sort((a, b) => b.text.length - a.text.length || b.logprob - a.logprob);
}

/**
 * Upper bound on the logprob of any token not in the list: the list is the most likely tokens in
 * order, so everything left out is at most as likely as its last entry. Null when the list is empty.
 */
export function outsideTopBound(top: readonly TokenChoice[]): number | null {
  if (top.length === 0) return null;
  return Math.min(...top.map((entry) => entry.logprob));
}
