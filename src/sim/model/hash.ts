/**
 * The simulator's keyed randomness (seed, character offset, problem, purpose): see
 * ../../problems/families/hash.ts. Never a sequential stream.
 */
export { hashInts, hashString, unit, uniform } from '../../problems/families/hash.ts';

/** Purposes keep independent draws at the same position apart. */
export const Purpose = {
  sample: 1,
  trap: 2,
  reflect: 3,
  catch: 4,
  prior: 5,
  phrase: 6,
  endVerify: 7,
  slipPick: 8,
  breakStep: 9,
  comply: 10,
  distractor: 11,
  regression: 12,
} as const;
