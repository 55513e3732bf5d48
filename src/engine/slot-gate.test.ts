import { describe, expect, it } from 'vitest';
import { SlotGate } from './slot-gate.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('SlotGate', () => {
  it('lets the worker whose last request is oldest jump at once; the others wait until it starts a new request', async () => {
    const gate = new SlotGate(60_000);
    gate.requestStarted(0);
    await tick();
    gate.requestStarted(1);
    await gate.beforeJump(0); // worker 0's slot is the least recently used: its own slot is overwritten
    let passed = false;
    const jump1 = gate.beforeJump(1).then(() => (passed = true));
    await tick();
    await tick();
    expect(passed).toBe(false); // worker 1 jumping now would evict worker 0's slot
    gate.requestStarted(0);
    await jump1;
    expect(passed).toBe(true);
  });

  it('ignores retired workers and workers without a slot yet', async () => {
    const gate = new SlotGate(60_000);
    gate.requestStarted(1);
    await tick();
    gate.requestStarted(0);
    gate.retire(1);
    await gate.beforeJump(0);
    const fresh = new SlotGate(60_000);
    fresh.requestStarted(3);
    await fresh.beforeJump(4);
  });

  it('goes anyway after the wait limit', async () => {
    const gate = new SlotGate(20);
    gate.requestStarted(0);
    await tick();
    gate.requestStarted(1);
    await gate.beforeJump(1);
  });
});
