/** Shared by the multi-host and offline tests: simulator hosts for a suite, and comparable result rows. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllProblems } from '../../src/problems/load.ts';
import { problemFilter } from '../../src/runner/run-suite.ts';
import { startSimServer, type SimServer } from '../../src/sim/server/index.ts';
import { loadSuite } from '../../src/suite/index.ts';

/** Simulator hosts that know the answers of a suite's problems (as the embedded one does). */
export async function simHosts(suiteFile: string, count: number, options: { parallel: number; latency?: string; filter?: string }): Promise<SimServer[]> {
  const loaded = await loadSuite(suiteFile);
  const problems = (await loadAllProblems(loaded.suite.problems, { root: loaded.root })).filter(problemFilter(options.filter));
  const answerEntries = problems.map((p) => ({ question: p.question, answer: p.answer, ...(p.difficulty === undefined ? {} : { difficulty: p.difficulty }) }));
  return Promise.all(
    Array.from({ length: count }, () =>
      startSimServer({ port: 0, parallel: options.parallel, answerEntries, ...(options.latency ? { latency: options.latency } : {}), onInternalError: () => undefined }),
    ),
  );
}

export interface OutcomeRow {
  key: string;
  answer: unknown;
  correct: unknown;
  thinkingTokens: unknown;
  answerTokens: unknown;
  error: unknown;
  confidence: unknown;
  exit: unknown;
  capFired: unknown;
}

/** What a run decided, per result: everything but timings and where it ran. */
export function outcomes(runDir: string): OutcomeRow[] {
  return readFileSync(join(runDir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .map((r) => ({
      key: String(r['key']),
      answer: r['answer'],
      correct: r['correct'],
      thinkingTokens: r['thinkingTokens'],
      answerTokens: r['answerTokens'],
      error: r['error'] ?? null,
      confidence: r['confidence'],
      exit: r['exit'] ?? null,
      capFired: r['capFired'] ?? null,
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}
