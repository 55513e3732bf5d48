import { describe, expect, it } from 'vitest';
import { createLimiter } from './limiter.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createLimiter', () => {
  it('runs at most n tasks at once, in arrival order', async () => {
    const limiter = createLimiter(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let peak = 0;
    const all = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        peak = Math.max(peak, limiter.active);
        await gate.promise;
        return i * 10;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.pending).toBe(3);
    gates[1]!.resolve();
    await all[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.resolve();
    expect(await Promise.all(all)).toEqual([0, 10, 20, 30, 40]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it('frees the slot when a task fails, and drops a queued task whose signal aborts', async () => {
    const limiter = createLimiter(1);
    const gate = deferred();
    const first = limiter.run(async () => {
      await gate.promise;
      throw new Error('boom');
    });
    const controller = new AbortController();
    let ranAborted = false;
    const aborted = limiter.run(async () => {
      ranAborted = true;
    }, controller.signal);
    const third = limiter.run(async () => 'third');
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    gate.resolve();
    await expect(first).rejects.toThrow('boom');
    expect(await third).toBe('third');
    expect(ranAborted).toBe(false);
    expect(limiter.active).toBe(0);
  });

  it('rejects a nonsense limit', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
  });
});
