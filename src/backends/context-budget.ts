/**
 * Keeps every request inside the run's fixed num_ctx, so budgets are exact and Ollama never
 * truncates or shifts silently. Ollama has no tokenize endpoint, so a prompt's token count is
 * estimated, conservatively:
 *
 * - Exact parts: every completion tells us the token count of its prompt (prompt_eval_count) and,
 *   closely, of prompt + generated text (prompt_eval_count + eval_count). In a trace tree nearly
 *   every prompt extends one of these (a branch = trunk prompt + trunk text + a short injection),
 *   so the longest remembered prefix covers almost all of it.
 * - The rest is counted as one token per UTF-8 byte, a true upper bound for byte-level BPE
 *   tokenizers (every token covers at least one byte), until this backend has seen a completion;
 *   after that as `margin` x the highest tokens-per-byte ratio seen so far (capped at 1).
 * - Re-tokenizing prompt + generated text can differ from the generated tokens by a few tokens,
 *   so a small slack is added per remembered prefix.
 *
 * When the estimate says a request does not fit and is not exact, the backend measures the prompt
 * with a 1-token request rather than refuse a run that may fit (ollama.ts, checkFits).
 * The estimate decides whether a request is refused up front; the server still has the last word
 * (truncate: false gives a 400 for an over-long prompt, and a generation that runs out of context
 * ends with done_reason "length" short of num_predict, which the backend reports as an error).
 */

const MEMORY = 256;

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

interface Known {
  text: string;
  tokens: number;
  slack: number;
  /** prefixHash(text): lets one pass over a prompt find every remembered prefix it may start with. */
  hash: number;
}

/** A 32-bit polynomial hash of each prefix, walked incrementally; a match is confirmed with startsWith. */
function hashStep(hash: number, code: number): number {
  return (Math.imul(hash, 0x01000193) + code) | 0;
}

/** prefixHash(prefix + text) given prefixHash(prefix) as `hash`. */
function prefixHash(text: string, hash = 0): number {
  for (let i = 0; i < text.length; i++) hash = hashStep(hash, text.charCodeAt(i));
  return hash;
}

/**
 * Cost per call. Remembered texts are kept in a Map (dedup and `exact` in O(1)) and in an array
 * sorted by length, so `estimate` walks the prompt once, comparing the running prefix hash with
 * the entries in length order (O(prompt + n)), and confirms only hash matches, longest first, with
 * startsWith. The answer is the same as trying every remembered text longest first: the longest
 * remembered text that is a prefix of the prompt (texts are unique, so there are no ties).
 */
export class PromptTokenEstimator {
  /** Insertion order (oldest first) is the eviction order. */
  private readonly known = new Map<string, Known>();
  /** The same entries, shortest first. */
  private readonly byLength: Known[] = [];
  private ratio = 1;
  private seen = false;

  constructor(private readonly margin = 1.5) {}

  /** Remembers what a finished completion revealed. */
  observe(prompt: string, promptTokens: number, generated: string, generatedTokens: number): void {
    if (!(promptTokens > 0)) return;
    const bytes = utf8Bytes(prompt);
    if (bytes > 0) {
      const observed = Math.min(1, (promptTokens / bytes) * this.margin);
      this.ratio = this.seen ? Math.max(this.ratio, observed) : observed;
      this.seen = true;
    }
    // The prompt is hashed once: prompt + generated continues its hash rather than rehashing it.
    const promptHash = prefixHash(prompt);
    this.remember(prompt, promptTokens, 0, promptHash);
    if (generated !== '') this.remember(prompt + generated, promptTokens + generatedTokens, 4 + Math.ceil(generatedTokens * 0.01), prefixHash(generated, promptHash));
  }

  /** A conservative estimate of the prompt's token count. */
  estimate(prompt: string): number {
    const best = this.longestPrefix(prompt);
    const rest = best ? prompt.slice(best.text.length) : prompt;
    const restTokens = Math.ceil(utf8Bytes(rest) * this.ratio);
    return best ? best.tokens + best.slack + restTokens : restTokens;
  }

  /** The prompt's exact token count, when a completion of exactly this prompt was seen. */
  exact(prompt: string): number | undefined {
    const entry = this.known.get(prompt);
    return entry?.slack === 0 ? entry.tokens : undefined;
  }

  private longestPrefix(prompt: string): Known | undefined {
    const candidates: Known[] = [];
    const entries = this.byLength;
    let hash = 0;
    let at = 0; // characters of the prompt hashed so far
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const length = entry.text.length;
      if (length > prompt.length) break;
      for (; at < length; at++) hash = hashStep(hash, prompt.charCodeAt(at));
      if (hash === entry.hash) candidates.push(entry);
    }
    for (let i = candidates.length - 1; i >= 0; i--) if (prompt.startsWith(candidates[i]!.text)) return candidates[i];
    return undefined;
  }

  private remember(text: string, tokens: number, slack: number, hash: number): void {
    const previous = this.known.get(text);
    if (previous) this.forget(previous);
    const entry: Known = { text, tokens, slack, hash };
    this.known.set(text, entry);
    this.insertByLength(entry);
    if (this.known.size > MEMORY) this.forget(this.known.values().next().value!);
  }

  private forget(entry: Known): void {
    this.known.delete(entry.text);
    this.byLength.splice(this.byLength.indexOf(entry), 1);
  }

  /** Binary search for the first longer entry: O(log n) comparisons, one splice. */
  private insertByLength(entry: Known): void {
    const list = this.byLength;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.text.length <= entry.text.length) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, entry);
  }
}
