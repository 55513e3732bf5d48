import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { Completion } from '../../src/backends/backend.ts';
import { OllamaBackend } from '../../src/backends/ollama.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { startSimServer, type SimServer } from '../../src/sim/server/index.ts';
import { fixtureCompletion, fixtureParts, simRequest } from './fixtures/store-writer-data.ts';

/**
 * kill -9 at random moments never corrupts the store and never loses a completion once a group
 * commit covering it (store.flush()) had returned. A real child process writes through the real
 * store; we SIGKILL it. An exit without close() still commits the batch that was waiting.
 */

const writer = fileURLToPath(new URL('./fixtures/store-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-crash-'));
let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer();
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface ChildRun {
  committed: Map<number, string>;
  skipped: Map<number, string>;
  finished: boolean;
  signal: NodeJS.Signals | null;
}

/** Runs the writer; SIGKILLs it once `killAfterCommits` lines arrived, plus `extraMs` (undefined: let it finish). */
function runWriter(args: string[], killAfterCommits?: number, extraMs = 0): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const result: ChildRun = { committed: new Map(), skipped: new Map(), finished: false, signal: null };
    let buffer = '';
    let stderr = '';
    let killing = false;
    const kill = (): void => {
      if (!killing) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    };
    if (killAfterCommits === 0) kill();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [what, index, key] = line.split(' ');
        if (what === 'committed') result.committed.set(Number(index), key!);
        else if (what === 'skipped') result.skipped.set(Number(index), key!);
        else if (what === 'done') result.finished = true;
        if (killAfterCommits !== undefined && result.committed.size >= killAfterCommits) kill();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      result.signal = signal;
      if (killAfterCommits === undefined && code !== 0) reject(new Error(`writer exited ${code}: ${stderr}`));
      else if (killAfterCommits !== undefined && signal !== 'SIGKILL' && !result.finished) reject(new Error(`writer died unexpectedly (${code}, ${signal}): ${stderr}`));
      else resolve(result);
    });
  });
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

/**
 * Kills the writer at a seeded schedule of moments, checking after each kill that the store is
 * intact and holds every committed entry as `expected(i)`, then lets a rerun finish.
 */
async function killRepeatedly(
  file: string,
  args: string[],
  count: number,
  schedule: [number, number][],
  expected: (i: number, stored: Completion) => Promise<void> | void,
): Promise<void> {
  const everCommitted = new Map<number, string>();
  let kills = 0;
  for (const [afterCommits, extraMs] of schedule) {
    const run = await runWriter(args, afterCommits, extraMs);
    if (run.signal === 'SIGKILL') kills++;
    // Entries committed by earlier (killed) runs are skipped, not redone.
    for (const [i, key] of run.skipped) if (everCommitted.has(i)) expect(key).toBe(everCommitted.get(i));
    for (const i of run.committed.keys()) expect(everCommitted.has(i)).toBe(false);
    for (const [i, key] of run.committed) everCommitted.set(i, key);

    expect(integrity(file)).toBe('ok');
    const store = openStore(file);
    try {
      for (const [i, key] of everCommitted) {
        const stored = store.getCompletion(key);
        expect(stored, `entry ${i} was committed but is missing`).toBeDefined();
        await expected(i, stored!);
      }
    } finally {
      store.close();
    }
  }
  expect(kills).toBeGreaterThanOrEqual(schedule.length - 1);
  expect(everCommitted.size).toBeGreaterThan(0);

  // A rerun skips every committed entry and writes only the rest.
  const rerun = await runWriter(args);
  expect(rerun.finished).toBe(true);
  for (const i of everCommitted.keys()) expect(rerun.skipped.has(i)).toBe(true);
  expect(rerun.committed.size + rerun.skipped.size).toBe(count);
  expect(integrity(file)).toBe('ok');
  const store = openStore(file);
  try {
    expect(store.cacheStats().entries).toBe(count);
  } finally {
    store.close();
  }
}

describe('store survives kill -9', () => {
  it('large deterministic entries: nothing committed is lost, never corrupted', async () => {
    const file = join(dir, 'fixtures.sqlite');
    const count = 300;
    // After 0..40 commits, plus 0..15 ms so kills land in the middle of writes.
    const schedule = fc.sample(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 15 })), { numRuns: 6, seed: 20260 });
    await killRepeatedly(file, [file, String(count)], count, schedule, (i, stored) => {
      expect(stored).toEqual(fixtureCompletion(i));
    });
    const store = openStore(file);
    try {
      for (const i of [0, 1, count - 1]) expect(store.getCompletion(store.cacheKey(fixtureParts(i)))).toEqual(fixtureCompletion(i));
    } finally {
      store.close();
    }
  });

  it('real completions through the Ollama backend and the simulator, killed mid-request or mid-commit', async () => {
    const file = join(dir, 'sim.sqlite');
    const count = 60;
    const reference = new OllamaBackend({ host: sim.url, numCtx: 4096 });
    const strip = ({ wallMs: _w, promptEvalMs: _p, evalMs: _e, ...rest }: Completion) => rest;
    const schedule = fc.sample(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 10 })), { numRuns: 4, seed: 7 });
    await killRepeatedly(file, [file, String(count), sim.url, 'sim-fast'], count, schedule, async (i, stored) => {
      expect(strip(stored)).toEqual(strip(await reference.complete('sim-fast', simRequest(i))));
    });
  });

  it('process.exit() without flush or close commits the batch still waiting for its group commit', async () => {
    const file = join(dir, 'exit.sqlite');
    const count = 25;
    const run = await runWriter([file, String(count), 'exit']);
    expect(run.finished).toBe(false);
    expect(integrity(file)).toBe('ok');
    const store = openStore(file);
    try {
      expect(store.cacheStats().entries).toBe(count);
      for (let i = 0; i < count; i++) expect(store.getCompletion(store.cacheKey(fixtureParts(i)))).toEqual(fixtureCompletion(i));
    } finally {
      store.close();
    }
  });
});
