/**
 * Faults: with the simulator injecting 500s, 503s, cut streams and error lines, a run completes
 * with the same results as a fault-free run (retries are the backend's job). When the server stays
 * down, the run stops with one clear error line, and a later rerun reuses everything finished.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnreachableError } from '../../src/core/errors.ts';
import type { RunOutcome } from '../../src/engine/index.ts';
import type { RunningServer } from '../../src/sim/server/server.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { startEngineToySim } from './engine-toy-model.ts';
import { essence, ollamaAt, RecordingBackend, runToy, tempStoreFile, toyProblems, type ToyRun } from './engine-helpers.ts';

const RUN: ToyRun = {
  specs: [{ type: 'baseline' }, { type: 'budget', tokens: 30 }, { type: 'extend', times: 1 }, { type: 'probes', every: 40 }, { type: 'noThinking' }],
  problems: toyProblems(4),
  sampling: { temperature: 0.6, topP: 0.95, topK: 40 },
  concurrency: 2,
};

let clean: RunningServer;
let reference: RunOutcome;
let referenceRequests = 0;
beforeAll(async () => {
  clean = await startEngineToySim({ parallel: 2 });
  const backend = new RecordingBackend(ollamaAt(clean.url));
  reference = await runToy(backend, openStore(':memory:'), RUN);
  referenceRequests = backend.completed.length;
});
afterAll(async () => {
  await clean?.close();
});

describe('faults', () => {
  it('a run through injected faults equals a fault-free run', async () => {
    const faulty = await startEngineToySim({ parallel: 2, faults: 'http500=0.08,http503=0.05,cut=0.08,errorline=0.05,nodone=0.05,seed=11' });
    try {
      const out = await runToy(ollamaAt(faulty.url), openStore(':memory:'), RUN);
      const injected = Object.values(faulty.stats().faults).reduce((a, b) => a + b, 0);
      expect(injected).toBeGreaterThan(0);
      expect(out.status).toBe('completed');
      expect(essence(out.results)).toEqual(essence(reference.results));
    } finally {
      await faulty.close();
    }
  });

  it('a server that stays down stops the run with one clear line; a rerun later reuses everything finished', async () => {
    const file = tempStoreFile();
    const doomed = await startEngineToySim({ parallel: 2 });
    let closing: Promise<void> | undefined;
    let error: unknown;
    const store1 = openStore(file);
    const first = new RecordingBackend(ollamaAt(doomed.url, { maxAttempts: 3, baseMs: 5, maxDelayMs: 20, maxTotalMs: 300 }));
    try {
      await runToy(first, store1, {
        ...RUN,
        onProgress: (p) => {
          if (p.requests >= Math.floor(referenceRequests / 2) && !closing) closing = doomed.close();
        },
      });
    } catch (e) {
      error = e;
    }
    await closing;
    store1.close();
    expect(error).toBeInstanceOf(BackendUnreachableError);
    expect((error as Error).message).not.toContain('\n');
    expect(first.completed.length).toBeGreaterThanOrEqual(Math.floor(referenceRequests / 2));
    expect(first.completed.length).toBeLessThan(referenceRequests);

    // The server is back (another port, same model): only the rest is sent.
    const revived = await startEngineToySim({ parallel: 2 });
    try {
      const second = new RecordingBackend(ollamaAt(revived.url));
      const out = await runToy(second, openStore(file), RUN);
      expect(out.status).toBe('completed');
      expect(first.completed.length + second.completed.length).toBe(referenceRequests);
      expect(essence(out.results)).toEqual(essence(reference.results));
    } finally {
      await revived.close();
    }
  });
});
