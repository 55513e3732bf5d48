import { hashInts, unit } from './hash.ts';

/** A small counter-based generator: the n-th draw is hash(seed, n), so generation is reproducible. */
export class Rng {
  private counter = 0;
  constructor(private readonly seed: number) {}
  next(): number {
    return unit(hashInts(this.seed, this.counter++));
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from empty list');
    return item;
  }
}
