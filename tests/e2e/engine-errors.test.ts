/**
 * One problem's error is that problem's rows, not the end of the run: a prompt that does not fit
 * num_ctx becomes result rows with an `error` naming the problem, every other problem's rows are
 * written, and a rerun finishes the same way from the cache. The server being gone still stops the
 * run (engine-faults.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaBackend } from '../../src/backends/ollama.ts';
import { createGrader, type Grader } from '../../src/grading/index.ts';
import type { Problem } from '../../src/problems/problem.ts';
import { checkRow, gradeRecord } from '../../src/runner/assemble.ts';
import type { RunningServer } from '../../src/sim/server/server.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { chatmlQwq } from '../../src/templates/index.ts';
import { startEngineToySim } from './engine-toy-model.ts';
import { FAST_RETRY, RecordingBackend, runToy, tempStoreFile, type ToyRun } from './engine-helpers.ts';

let server: RunningServer;
let grader: Grader;
beforeAll(async () => {
  server = await startEngineToySim({ parallel: 2 });
  grader = createGrader({ workers: 1 });
});
afterAll(async () => {
  await grader?.close();
  await server?.close();
});

const problems: Problem[] = [
  { id: 'short', question: 'What is 25 + 17?', answer: '42' },
  { id: 'long', question: `What is 25 + 17? ${'Think about the numbers carefully. '.repeat(300)}`, answer: '42' },
];
const RUN: ToyRun = { specs: [{ type: 'baseline' }, { type: 'budget', tokens: 30 }, { type: 'probes', every: 40 }], problems, maxThinkingTokens: 1000, runId: 'ctx' };
const backend = () => new RecordingBackend(new OllamaBackend({ host: server.url, numCtx: 1600, retry: FAST_RETRY, preflightRetry: FAST_RETRY }));

describe('per-problem errors', () => {
  it('a problem whose prompt does not fit num_ctx gets error rows; the others finish, and a rerun finishes from the cache', async () => {
    const file = tempStoreFile();
    const store = openStore(file);
    const first = backend();
    const out = await runToy(first, store, RUN);
    expect(out.status).toBe('completed');
    expect(out.results).toHaveLength(6);
    const failed = out.results.filter((r) => r.error !== undefined);
    expect(failed.map((r) => r.problemId)).toEqual(['long', 'long', 'long']);
    for (const r of failed) {
      expect(r.error).toMatch(/^problem long: .*(does not fit num_ctx 1600|exceeds the context length)/);
      expect(r.error).not.toContain('\n');
      expect(r.correct).toBe(false);
      expect(r.answer).toBe('');
      expect(r.counts.thinking).toBe(0);
    }
    const fine = out.results.filter((r) => r.problemId === 'short');
    expect(fine).toHaveLength(3);
    for (const r of fine) {
      expect(r.error).toBeUndefined();
      expect(r.answer).toContain('\\boxed{42}');
    }
    // Rows are in the store, error rows included.
    const stored = store.results('ctx') as unknown as { key: string; error?: string }[];
    expect(stored.filter((r) => r.error !== undefined)).toHaveLength(3);
    expect(stored).toHaveLength(6);
    store.close();

    const template = chatmlQwq();
    const layout = { delims: { thinkOpen: template.thinkOpen, thinkClose: template.thinkClose }, opensInPrompt: !template.opensThinkingItself };
    // The runner's grading treats an error row as not correct and does not crash on it.
    for (const r of out.results) {
      const graded = await gradeRecord(r, problems.find((p) => p.id === r.problemId)!, grader, layout);
      const row = checkRow(graded);
      if (r.error !== undefined) expect(row.correct).toBe(false);
      else expect(row.correct).toBe(true);
    }

    // A rerun on the same store finishes the same way; the short problem is served from the cache.
    const store2 = openStore(file);
    const second = backend();
    const again = await runToy(second, store2, RUN);
    expect(again.status).toBe('completed');
    expect(again.results.filter((r) => r.error !== undefined).map((r) => r.key).sort()).toEqual(failed.map((r) => r.key).sort());
    expect(second.completed.filter((q) => !q.prompt.includes('Think about the numbers'))).toHaveLength(0);
    expect(again.spent.cacheHits).toBeGreaterThan(0);
    store2.close();
  });
});
