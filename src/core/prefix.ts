/**
 * `text.startsWith(prefix)`, by string equality of a slice: V8 compares equal-length strings as
 * memory blocks, while String.prototype.startsWith goes a character at a time (several times
 * slower on prompts thousands of characters long, more on concatenated ones). The engine's slot
 * and KV accounting and the backends' context budget both test prompts against earlier ones.
 */
export function hasPrefix(text: string, prefix: string): boolean {
  const n = prefix.length;
  if (n === 0) return true;
  // Texts of one tree share long prefixes and mostly differ near their ends: the last character first.
  if (text.length < n || text.charCodeAt(n - 1) !== prefix.charCodeAt(n - 1)) return false;
  return (text.length === n ? text : text.slice(0, n)) === prefix;
}

/** Below this many characters the mismatch is found a character at a time. */
const NARROW = 32;

/**
 * Length of the common prefix of `a` and `b` (known to agree before `from`). Prompts share
 * thousands of characters: equality of slices compares them as memory blocks (V8), so the first
 * difference is found by halving the range, then character by character. String.prototype.startsWith
 * would compare a character at a time, several times slower.
 */
export function sharedLength(a: string, b: string, from: number): number {
  const n = Math.min(a.length, b.length);
  let lo = from;
  let hi = n;
  if (hi - lo > NARROW && a.slice(lo, hi) === b.slice(lo, hi)) return n;
  while (hi - lo > NARROW) {
    const mid = (lo + hi) >> 1;
    if (a.slice(lo, mid) === b.slice(lo, mid)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a.charCodeAt(lo) === b.charCodeAt(lo)) lo++;
  return lo;
}
