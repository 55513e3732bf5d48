/**
 * Keyed randomness: every draw is a pure function of its key, never a sequential stream. Used by
 * the problem generators (so a seed always gives the same problem) and by the simulator (so
 * re-reading a prefix reproduces exactly the state that writing it produced).
 */

/** 32-bit finalizer (murmur3 fmix32). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a list of integers (each taken modulo 2^32, doubles folded in). */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    const lo = v | 0;
    const hi = Math.floor(v / 4294967296) | 0;
    h = fmix((h ^ lo) + Math.imul(h, 31));
    if (hi !== 0 && hi !== -1) h = fmix((h ^ hi) + 0x7f4a7c15);
  }
  return fmix(h);
}

/** FNV-1a over UTF-16 code units, finalized. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

/** A uniform number in [0, 1) from a hash. */
export function unit(hash: number): number {
  return (hash >>> 0) / 4294967296;
}

/** A uniform number in [0, 1) keyed by the given integers. */
export function uniform(...values: number[]): number {
  return unit(hashInts(...values));
}
