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
