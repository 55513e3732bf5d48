/**
 * Every bundled suite runs through the simulator's OpenAI-compatible API (`--model
 * openai:sim:sim-qwq`: /v1/completions over HTTP, SSE, echo for L-hat) and reaches the same results
 * and the same check verdicts as through its Ollama API, on the suite's first problem (the
 * full suites take minutes: the Ollama-API runs of them are the suites' own reference). L-hat agrees
 * to 1e-6 where Ollama's token-by-token path is exact; where a reference token fell outside
 * Ollama's top 20, Ollama gives a bound and the OpenAI API the exact value, which is never above it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAllProblems } from '../../src/problems/load.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { loadSuite } from '../../src/suite/index.ts';

const root = resolve(import.meta.dirname, '../..');
const suites = readdirSync(join(root, 'suites')).filter((f) => /\.(suite\.ts|ya?ml|json)$/.test(f)).sort();
const work = mkdtempSync(join(tmpdir(), 'tp-openai-suites-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A --filter keeping the suite's first problem only (its L-hat suites probe every 32 tokens: one trace is plenty). */
async function firstProblem(suiteFile: string): Promise<string> {
  const loaded = await loadSuite(suiteFile);
  const [first] = await loadAllProblems(loaded.suite.problems.slice(0, 1), { root: loaded.root });
  return `/^${first!.id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$/`;
}

interface Row {
  key: string;
  answer: unknown;
  correct: unknown;
  thinkingTokens: unknown;
  answerTokens: unknown;
  error?: unknown;
  confidence: { position: number; lhat?: number | null; bounded?: boolean }[];
}

function rows(runDir: string): Row[] {
  return readFileSync(join(runDir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row)
    .sort((a, b) => a.key.localeCompare(b.key));
}

describe('every bundled suite on the simulator’s OpenAI-compatible API', () => {
  it('finds the bundled suites', () => {
    expect(suites.length).toBeGreaterThanOrEqual(6);
  });

  it.each(suites)('%s: same results and check verdicts as on the Ollama API', async (name) => {
    const suiteFile = join(root, 'suites', name);
    const common = { suiteFile, samples: 1, filter: await firstProblem(suiteFile), html: false, concurrency: 4, log: () => undefined };
    const viaOpenAI = await runSuite({ ...common, out: join(work, 'openai'), model: 'openai:sim:sim-qwq', template: 'chatml-qwq' });
    const viaOllama = await runSuite({ ...common, out: join(work, 'ollama'), model: 'sim:sim-qwq' });
    expect(viaOpenAI.status).toBe('completed');
    expect(viaOpenAI.data?.run.environment.backend).toMatch(/^openai http:/);
    const a = rows(viaOpenAI.runDir);
    const b = rows(viaOllama.runDir);
    expect(a.length).toBeGreaterThan(0);
    expect(a.filter((r) => r.error !== undefined)).toEqual([]);
    const decided = (r: Row) => [r.key, r.answer, r.correct, r.thinkingTokens, r.answerTokens, r.confidence.map((c) => c.position)];
    expect(a.map(decided)).toEqual(b.map(decided));
    for (const [i, row] of a.entries()) {
      row.confidence.forEach((point, j) => {
        const other = b[i]!.confidence[j]!;
        if (typeof point.lhat !== 'number' || typeof other.lhat !== 'number') return void expect(point.lhat ?? null).toBe(other.lhat ?? null);
        expect(point.bounded ?? false).toBe(false);
        // Ollama's bound is a lower bound of the true L-hat; the exact value is at least it.
        if (other.bounded) expect(point.lhat).toBeGreaterThanOrEqual(other.lhat - 1e-9);
        else expect(point.lhat).toBeCloseTo(other.lhat, 6);
      });
    }
    expect(viaOpenAI.checks.map((c) => [c.name, c.verdict])).toEqual(viaOllama.checks.map((c) => [c.name, c.verdict]));
    expect(viaOpenAI.verdict?.passed).toBe(viaOllama.verdict?.passed);
  }, 300_000);
});
