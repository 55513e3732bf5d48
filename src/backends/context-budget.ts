import { hasPrefix } from '../core/prefix.ts';
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
  /** Still remembered (a hint may outlive its entry). */
  live: boolean;
}

/** Recently remembered texts tried as hints, and recently estimated prompts whose hash is kept. */
const RECENT = 16;

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
 * Remembered texts shortest first, with their lengths and hashes in typed arrays: the walk in
 * `longestPrefix` reads those contiguously instead of touching every entry and its string (cache
 * misses that cost more than the hashing, between requests of a busy process).
 */
class ByLength {
  readonly lengths = new Int32Array(MEMORY + 2);
  readonly hashes = new Int32Array(MEMORY + 2);
  /** Where each entry sits in `slots`: entries never move, so sorting moves integers only. */
  readonly slotOf = new Int32Array(MEMORY + 2);
  readonly slots: (Known | undefined)[] = new Array<Known | undefined>(MEMORY + 2).fill(undefined);
  private readonly free: number[] = Array.from({ length: MEMORY + 2 }, (_, i) => MEMORY + 1 - i);
  size = 0;

  /** Index of the first entry longer than `length`. */
  firstLonger(length: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.lengths[mid]! <= length) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  entry(i: number): Known {
    return this.slots[this.slotOf[i]!]!;
  }

  insert(entry: Known): void {
    const at = this.firstLonger(entry.text.length);
    const slot = this.free.pop()!;
    this.slots[slot] = entry;
    this.move(at + 1, at);
    this.lengths[at] = entry.text.length;
    this.hashes[at] = entry.hash;
    this.slotOf[at] = slot;
    this.size++;
  }

  remove(entry: Known): void {
    let at = this.firstLonger(entry.text.length - 1);
    while (this.entry(at) !== entry) at++;
    const slot = this.slotOf[at]!;
    this.slots[slot] = undefined;
    this.free.push(slot);
    this.move(at, at + 1);
    this.size--;
  }

  private move(to: number, from: number): void {
    this.lengths.copyWithin(to, from, this.size);
    this.hashes.copyWithin(to, from, this.size);
    this.slotOf.copyWithin(to, from, this.size);
  }
}

/**
 * Cost per call. Remembered texts are kept in a Map (dedup and `exact` in O(1)) and in an array
 * sorted by length, so `estimate` walks the prompt once, comparing the running prefix hash with
 * the entries in length order (O(prompt + n)), and confirms only hash matches, longest first, with
 * startsWith. The walk starts at a recently remembered prefix when there is one (a stream's next
 * chunk, a branch off it), so only the new text is hashed. The answer is the same as trying every remembered text longest first: the longest
 * remembered text that is a prefix of the prompt (texts are unique, so there are no ties).
 */
export class PromptTokenEstimator {
  /**
   * Remembered texts by prefixHash, confirmed by string equality: keying a Map by the text itself
   * would have V8 hash every new prompt (thousands of characters) once more.
   */
  private readonly known = new Map<number, Known[]>();
  /** Insertion order (oldest first) is the eviction order; forgotten entries are skipped. */
  private order: Known[] = [];
  /** Index of the oldest entry in `order` that may still be live (the queue's head). */
  private head = 0;
  private size = 0;
  /** The same entries, shortest first. */
  private readonly byLength = new ByLength();
  private ratio = 1;
  private seen = false;
  /**
   * The last texts remembered (a ring): the next prompt of a stream or branch extends one. Their
   * lengths and last characters sit in typed arrays, so most are ruled out without touching them.
   */
  private readonly recent: (Known | undefined)[] = new Array<Known | undefined>(RECENT).fill(undefined);
  private readonly recentLengths = new Int32Array(RECENT).fill(-1);
  private readonly recentLast = new Int32Array(RECENT);
  private recentNext = 0;
  /** Prompts just estimated and their prefixHash: `observe` of the same prompt need not rehash it. */
  private readonly hashed: { prompt: string; hash: number }[] = [];

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
    const promptHash = this.hashed.find((h) => h.prompt === prompt)?.hash ?? prefixHash(prompt);
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
    const entry = this.find(prompt, this.hashed.find((h) => h.prompt === prompt)?.hash ?? prefixHash(prompt));
    return entry?.slack === 0 ? entry.tokens : undefined;
  }

  /**
   * Starts from a hint (the longest recently remembered text the prompt starts with): its hash is
   * the prompt's prefix hash at its length, so only the prompt's text past it is hashed and only
   * longer entries are compared. The answer is the same: no entry of the hint's length or shorter
   * can be a longer prefix.
   */
  private longestPrefix(prompt: string): Known | undefined {
    const hint = this.hint(prompt);
    const candidates: Known[] = [];
    const { lengths, hashes, size } = this.byLength;
    let hash = hint?.hash ?? 0;
    let at = hint?.text.length ?? 0; // characters of the prompt hashed so far
    for (let i = hint ? this.byLength.firstLonger(at) : 0; i < size; i++) {
      const length = lengths[i]!;
      if (length > prompt.length) break;
      for (; at < length; at++) hash = hashStep(hash, prompt.charCodeAt(at));
      if (hash === hashes[i]) candidates.push(this.byLength.entry(i));
    }
    this.keepHash(prompt, prefixHash(prompt.slice(at), hash));
    for (let i = candidates.length - 1; i >= 0; i--) if (hasPrefix(prompt, candidates[i]!.text)) return candidates[i];
    return hint;
  }

  private hint(prompt: string): Known | undefined {
    let best: Known | undefined;
    let bestLength = 0;
    for (let i = 0; i < RECENT; i++) {
      const length = this.recentLengths[i]!;
      if (length <= bestLength || length > prompt.length || prompt.charCodeAt(length - 1) !== this.recentLast[i]) continue;
      const entry = this.recent[i]!;
      if (entry.live && hasPrefix(prompt, entry.text)) {
        best = entry;
        bestLength = length;
      }
    }
    return best;
  }

  private addRecent(entry: Known): void {
    const i = this.recentNext;
    this.recentNext = (i + 1) % RECENT;
    this.recent[i] = entry;
    this.recentLengths[i] = entry.text.length;
    this.recentLast[i] = entry.text.charCodeAt(entry.text.length - 1);
  }

  private keepHash(prompt: string, hash: number): void {
    if (this.hashed.length >= RECENT) this.hashed.shift();
    this.hashed.push({ prompt, hash });
  }

  private find(text: string, hash: number): Known | undefined {
    return this.known.get(hash)?.find((entry) => entry.text === text);
  }

  private remember(text: string, tokens: number, slack: number, hash: number): void {
    const previous = this.find(text, hash);
    if (previous) this.forget(previous);
    const entry: Known = { text, tokens, slack, hash, live: true };
    const bucket = this.known.get(hash);
    if (bucket) bucket.push(entry);
    else this.known.set(hash, [entry]);
    this.size++;
    this.order.push(entry);
    this.byLength.insert(entry);
    this.addRecent(entry);
    if (this.size > MEMORY) this.forgetOldest();
    // Entries before the head, and forgotten ones, leave the queue in one pass now and then.
    if (this.order.length > 4 * MEMORY) {
      this.order = this.order.slice(this.head).filter((e) => e.live);
      this.head = 0;
    }
  }

  private forgetOldest(): void {
    while (!this.order[this.head]!.live) this.head++;
    this.forget(this.order[this.head++]!);
  }

  private forget(entry: Known): void {
    entry.live = false;
    this.size--;
    const bucket = this.known.get(entry.hash)!;
    if (bucket.length === 1) this.known.delete(entry.hash);
    else bucket.splice(bucket.indexOf(entry), 1);
    this.byLength.remove(entry);
  }
}
