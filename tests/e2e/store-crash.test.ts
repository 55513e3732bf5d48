import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { openStore } from '../../src/store/sqlite-store.ts';
import { fixtureCompletion, fixtureParts } from './fixtures/store-writer-data.ts';

/**
 * kill -9 at random moments never corrupts the store and never loses a completion whose
 * putCompletion had returned. A real child process writes through the real store; we SIGKILL it.
 */

const writer = fileURLToPath(new URL('./fixtures/store-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-crash-'));
const file = join(dir, 'store.sqlite');
const COUNT = 400;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ChildRun {
  committed: Map<number, string>;
  skipped: Map<number, string>;
  finished: boolean;
  signal: NodeJS.Signals | null;
}

/** Runs the writer; kills it with SIGKILL once `killAfterCommits` lines arrived plus `extraMs` (undefined: let it finish). */
function runWriter(killAfterCommits?: number, extraMs = 0): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file, String(COUNT)], { stdio: ['ignore', 'pipe', 'pipe'] });
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

function integrity(): string {
  const db = new Database(file, { readonly: true });
  try {
    return (db.pragma('integrity_check', { simple: true }) as string) ?? '';
  } finally {
    db.close();
  }
}

describe('store survives kill -9', () => {
  it('loses nothing that was committed and is never corrupted, over repeated random kills', async () => {
    // A seeded schedule of kill points: after 0..40 commits, plus 0..15 ms so kills land mid-write.
    const schedule = fc.sample(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 15 })), { numRuns: 6, seed: 20260 });
    const everCommitted = new Map<number, string>();
    let kills = 0;
    for (const [afterCommits, extraMs] of schedule) {
      const run = await runWriter(afterCommits, extraMs);
      if (run.signal === 'SIGKILL') kills++;
      // Entries committed by earlier (killed) runs are skipped, not rewritten.
      for (const [i, key] of run.skipped) if (everCommitted.has(i)) expect(key).toBe(everCommitted.get(i));
      for (const i of run.committed.keys()) expect(everCommitted.has(i)).toBe(false);
      for (const [i, key] of run.committed) everCommitted.set(i, key);

      expect(integrity()).toBe('ok');
      const store = openStore(file);
      try {
        for (const [i, key] of everCommitted) {
          expect(store.cacheKey(fixtureParts(i))).toBe(key);
          expect(store.getCompletion(key)).toEqual(fixtureCompletion(i));
        }
      } finally {
        store.close();
      }
    }
    expect(kills).toBeGreaterThanOrEqual(4);
    expect(everCommitted.size).toBeGreaterThan(0);

    // A rerun skips every committed entry and writes only the rest.
    const rerun = await runWriter();
    expect(rerun.finished).toBe(true);
    for (const i of everCommitted.keys()) expect(rerun.skipped.has(i)).toBe(true);
    expect(rerun.committed.size + rerun.skipped.size).toBe(COUNT);
    expect(integrity()).toBe('ok');
    const store = openStore(file);
    try {
      expect(store.cacheStats().entries).toBe(COUNT);
      for (const i of [0, 1, COUNT - 1, ...everCommitted.keys()]) expect(store.getCompletion(store.cacheKey(fixtureParts(i)))).toEqual(fixtureCompletion(i));
    } finally {
      store.close();
    }
  });
});
