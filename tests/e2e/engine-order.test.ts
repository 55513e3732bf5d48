/**
 * The KV-cache order: one tree's requests walk its trunk in ascending position. Branches at k run
 * when the trunk has just reached k (their prompt extends what the slot holds), then the trunk
 * continues from its own prefix; so each request's new prefill is only its own new text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../src/engine/index.ts';
import type { RunningServer } from '../../src/sim/server/server.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { startEngineToySim } from './engine-toy-model.ts';
import { ollamaAt, RecordingBackend, runToy, toyProblems } from './engine-helpers.ts';

let sim: RunningServer;
beforeAll(async () => {
  sim = await startEngineToySim({ parallel: 1 });
});
afterAll(async () => {
  await sim?.close();
});

describe('tree order', () => {
  it('walks the trunk in ascending position, branching where it stands, and reports progress', async () => {
    const backend = new RecordingBackend(ollamaAt(sim.url));
    const progress: Progress[] = [];
    const out = await runToy(backend, openStore(':memory:'), {
      specs: [{ type: 'probes', every: 20 }, { type: 'budget', tokens: 30 }, { type: 'budget', tokens: 50 }, { type: 'injectReflection', at: 45 }, { type: 'baseline' }],
      problems: toyProblems(1),
      concurrency: 1,
      onProgress: (p) => progress.push(p),
    });
    const trunkPrompt = out.results[0]!.trace[0]!.text;
    const base = out.results.find((r) => r.intervention.type === 'baseline')!;
    const baseText = base.trace.map((s) => s.text).join('');
    // Where along the trunk each request starts: the longest prefix of the baseline it shares.
    const positions = backend.completed.map((r) => {
      let i = 0;
      while (i < r.prompt.length && i < baseText.length && r.prompt[i] === baseText[i]) i++;
      return i;
    });
    const trunkRequests = backend.completed.filter((r) => baseText.startsWith(r.prompt));
    expect(trunkRequests[0]?.prompt).toBe(trunkPrompt);
    // Ascending: no request goes back to an earlier point of the trunk than one before it.
    // (A branch's injected text may match the trunk's next few characters by chance: a little slack.)
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThanOrEqual(positions[i - 1]! - 8);
    expect(positions[positions.length - 1]!).toBeGreaterThan(positions[0]! + 500);
    // Each request's own new text is small: it extends what the previous request left in the slot.
    expect(out.spent.newPrefill).toBeLessThan(trunkPrompt.length / 2 + backend.completed.length * 20);
    // Decoded beyond the minimum: only probe steps (8 tokens) past a closed box.
    expect(out.spent.decoded).toBeLessThanOrEqual(out.minimal.decoded + 8 * backend.completed.length);
    const last = progress[progress.length - 1]!;
    expect(last.results).toEqual({ done: 5, total: 5 });
    expect(last.trees).toEqual({ done: 1, total: 1 });
    expect(last.requests).toBe(backend.completed.length);
  });
});
