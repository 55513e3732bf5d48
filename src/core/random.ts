/**
 * A small seeded PRNG for resampling: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, passes PractRand) seeded through splitmix32, so any integer seed, including 0 and
 * consecutive seeds, gives a well-mixed independent-looking stream. Same seed, same stream, on
 * every platform: bootstrap intervals in reports are reproducible from the stored seed.
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Returns a function yielding uniform numbers in [0, 1), deterministic for `seed`. */
export function seededRandom(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  // Fold the whole double into 32 bits so seeds beyond 2^32 still differ.
  const hi = Math.floor(Math.abs(seed) / 4294967296) >>> 0;
  const mix = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d) ^ (seed < 0 ? 0x5bd1e995 : 0));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = 1;
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next();
  return () => next() / 4294967296;
}
