/**
 * Resume: an interrupted run (aborted mid-run, or a real child process killed with SIGKILL) reruns
 * only the rest: the backend sees only the missing requests, and the results equal an
 * uninterrupted run's.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionRequest } from '../../src/backends/backend.ts';
import type { RunOutcome } from '../../src/engine/index.ts';
import type { RunningServer } from '../../src/sim/server/server.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { startEngineToySim } from './engine-toy-model.ts';
import { essence, ollamaAt, RecordingBackend, runToy, tempStoreFile } from './engine-helpers.ts';
import { RESUME_RUN } from './engine-resume-spec.ts';

/** Every result's costs, field for field, but wall time (a timing field). */
const costs = (outcome: RunOutcome) =>
  Object.fromEntries(
    [...outcome.results].sort((a, b) => a.key.localeCompare(b.key)).map((r) => {
      const { wallMs: _wallMs, ...tree } = r.cost.tree;
      return [r.key, { alone: r.cost.alone, tree }];
    }),
  );

const requestKey = (r: CompletionRequest) => JSON.stringify([r.prompt, r.stop, r.seed, r.topLogprobs]);

let sim: RunningServer;
let reference: RunOutcome;
let referenceRequests: CompletionRequest[];

beforeAll(async () => {
  sim = await startEngineToySim({ parallel: 2 });
  const backend = new RecordingBackend(ollamaAt(sim.url));
  reference = await runToy(backend, openStore(':memory:'), RESUME_RUN);
  referenceRequests = backend.completed;
});
afterAll(async () => {
  await sim?.close();
});

describe('resume', () => {
  it('an aborted run stops as interrupted; the rerun sends only the missing requests and equals an uninterrupted run', async () => {
    expect(reference.status).toBe('completed');
    const file = tempStoreFile();
    const controller = new AbortController();
    const first = new RecordingBackend(ollamaAt(sim.url));
    const store1 = openStore(file);
    const half = Math.floor(referenceRequests.length / 2);
    const interrupted = await runToy(first, store1, {
      ...RESUME_RUN,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.requests >= half) controller.abort();
      },
    });
    store1.close();
    expect(interrupted.status).toBe('interrupted');
    expect(first.completed.length).toBeGreaterThanOrEqual(half);
    expect(first.completed.length).toBeLessThan(referenceRequests.length);

    const second = new RecordingBackend(ollamaAt(sim.url));
    const store2 = openStore(file);
    const resumed = await runToy(second, store2, RESUME_RUN);
    store2.close();
    expect(resumed.status).toBe('completed');
    const done = new Set(first.completed.map(requestKey));
    expect(second.requests.filter((r) => done.has(requestKey(r)))).toEqual([]);
    expect(first.completed.length + second.completed.length).toBe(referenceRequests.length);
    expect(essence(resumed.results)).toEqual(essence(reference.results));
    // Replayed work costs what it cost when first computed: never `in tree` 0.
    expect(costs(resumed)).toEqual(costs(reference));
    expect(resumed.perIntervention.map((i) => [i.label, i.tree.prefill, i.tree.decoded])).toEqual(reference.perIntervention.map((i) => [i.label, i.tree.prefill, i.tree.decoded]));
    // Nothing left to do: a third run is served wholly from the store.
    const third = new RecordingBackend(ollamaAt(sim.url));
    const again = await runToy(third, openStore(file), RESUME_RUN);
    expect(third.requests).toEqual([]);
    expect(again.spent.cacheHits).toBeGreaterThan(0);
    expect(essence(again.results)).toEqual(essence(reference.results));
    expect(costs(again)).toEqual(costs(reference));
    expect(Object.values(costs(again)).some((c) => c.tree.decoded > 0)).toBe(true);
  });

  it('a child process killed with SIGKILL mid-run loses at most its requests in flight and its un-committed batch; the rerun finishes the rest', async () => {
    const file = tempStoreFile();
    // The store's group commit holds fewer than this many rows: what a kill can lose besides requests in flight.
    const maxBatchRows = 4;
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./engine-child.ts', import.meta.url)), sim.url, file, String(maxBatchRows)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const target = Math.floor(referenceRequests.length * 0.6);
    let seen = 0;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        const m = /^requests (\d+)$/.exec(line);
        if (m && Number(m[1]) >= target && seen < target) {
          seen = Number(m[1]);
          child.kill('SIGKILL');
        }
      }
    });
    const signal = await exited;
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    expect(seen).toBeGreaterThanOrEqual(target);

    const rerun = new RecordingBackend(ollamaAt(sim.url));
    const store = openStore(file);
    const resumed = await runToy(rerun, store, RESUME_RUN);
    store.close();
    expect(resumed.status).toBe('completed');
    // At most the requests in flight at the kill (one per worker) and the batch not yet committed are sent again.
    expect(rerun.completed.length).toBeLessThanOrEqual(referenceRequests.length - seen + RESUME_RUN.concurrency! + maxBatchRows - 1);
    expect(essence(resumed.results)).toEqual(essence(reference.results));
    expect(costs(resumed)).toEqual(costs(reference));
  });
});
