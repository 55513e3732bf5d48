/**
 * `thinkprobe run` on the simulator's OpenAI-compatible API: a bundled suite gives the same results
 * as on its Ollama API for the same seed, and a server or model that is not there is one line and
 * exit 3 before anything runs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuite } from '../../src/runner/run-suite.ts';
import { startSimServer } from '../../src/sim/server/index.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/thinkprobe.js');

interface Row {
  key: string;
  answer: string | null;
  correct: boolean;
  thinkingTokens: number;
  answerTokens: number;
  confidence: { position: number; lhat: number | null }[];
}

function rows(runDir: string): Row[] {
  return readFileSync(join(runDir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row)
    .map(({ key, answer, correct, thinkingTokens, answerTokens, confidence }) => ({ key, answer, correct, thinkingTokens, answerTokens, confidence }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, CI: 'true', OLLAMA_HOST: '', OPENAI_BASE_URL: '' } }, (error, stdout, stderr) => {
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('run on the OpenAI-compatible API', () => {
  it('gives the quickstart the same results, L-hat curves and check verdicts as the Ollama API', async () => {
    const out = mkdtempSync(join(tmpdir(), 'thinkprobe-openai-run-'));
    const common = { suiteFile: join(root, 'suites/quickstart.suite.ts'), out, html: false, samples: 1, concurrency: 4, filter: '/arithmetic-chain\\/[1-2]\\//', log: () => undefined };
    const viaOpenAI = await runSuite({ ...common, model: 'openai:sim:sim-qwq', template: 'chatml-qwq' });
    const viaOllama = await runSuite({ ...common, model: 'sim:sim-qwq' });
    expect(viaOpenAI.status).toBe('completed');
    expect(viaOpenAI.data?.run.environment.backend).toMatch(/^openai http:/);
    const a = rows(viaOpenAI.runDir);
    const b = rows(viaOllama.runDir);
    expect(a.length).toBe(2 * 5);
    expect(a.some((r) => r.confidence.length > 0)).toBe(true);
    expect(a.map(({ confidence, ...rest }) => ({ ...rest, positions: confidence.map((c) => c.position) }))).toEqual(
      b.map(({ confidence, ...rest }) => ({ ...rest, positions: confidence.map((c) => c.position) })),
    );
    // L-hat: one request per probe on /v1, token by token on Ollama; both exact here (no reference
    // token fell outside Ollama's top 20), so they agree.
    let compared = 0;
    for (const [i, row] of a.entries()) {
      row.confidence.forEach((point, j) => {
        const other = b[i]!.confidence[j]!;
        expect(point.lhat === null).toBe(other.lhat === null);
        if (point.lhat !== null && other.lhat !== null) {
          expect(point.lhat).toBeCloseTo(other.lhat, 6);
          compared++;
        }
      });
    }
    expect(compared).toBeGreaterThan(1);
    expect(viaOpenAI.checks.map((c) => [c.name, c.verdict])).toEqual(viaOllama.checks.map((c) => [c.name, c.verdict]));
    expect(viaOpenAI.checks.find((c) => c.name === 'budgetRespected')?.verdict).toBe('pass');
  });

  it('stops with one line and exit 3 when the model is not served (a server that is not there: openai-backend.test.ts)', async () => {
    const sim = await startSimServer({ port: 0 });
    const out = mkdtempSync(join(tmpdir(), 'thinkprobe-openai-pre-'));
    try {
      const missing = await cli(['run', 'suites/quickstart.suite.ts', '--model', 'openai:qwq-32b', '--host', sim.url, '--template', 'chatml-qwq', '--out', out, '--reporter', 'silent']);
      expect(missing.code).toBe(3);
      const lines = missing.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("model 'qwq-32b' is not served by");
    } finally {
      await sim.close();
    }
  });
});
