import { afterEach, describe, expect, it } from 'vitest';
import { measureStoreCpu, storeCpuMs, timed } from './timing.ts';

afterEach(() => measureStoreCpu(false));

function busy(iterations: number): number {
  let x = 0;
  for (let k = 0; k < iterations; k++) x += Math.sqrt(k);
  return x;
}

describe('store CPU timing', () => {
  it('returns what the call returns and rethrows what it throws, measuring or not', () => {
    for (const on of [false, true]) {
      measureStoreCpu(on);
      for (let i = 0; i < 20; i++) {
        expect(timed(() => i)).toBe(i);
        expect(() => timed(() => { throw new Error(`e${i}`); })).toThrow(`e${i}`);
      }
    }
  });

  it('counts nothing while off', () => {
    const before = storeCpuMs();
    for (let i = 0; i < 200; i++) timed(() => busy(1000));
    expect(storeCpuMs()).toBe(before);
  });

  it('counts the CPU of the calls, to well within a factor of two', () => {
    measureStoreCpu(true);
    const before = storeCpuMs();
    const c0 = process.cpuUsage();
    for (let i = 0; i < 4000; i++) timed(() => busy(5000 + (i % 5) * 2000));
    const c = process.cpuUsage(c0);
    const actualMs = (c.user + c.system) / 1000;
    const countedMs = storeCpuMs() - before;
    expect(countedMs).toBeGreaterThan(actualMs / 2);
    expect(countedMs).toBeLessThan(actualMs * 1.5);
  });
});
