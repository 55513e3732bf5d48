import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuite } from '../../src/runner/run-suite.ts';
import { startSimServer } from '../../src/sim/server/index.ts';
import { needsShared, sharedDir } from '../shared.ts';

/**
 * Same suite, seed and card give the same results in-process (`--model sim:sim-fast`, the suite's
 * problems as the answer key) and over HTTP (`thinkprobe sim --answers` with the dataset lines,
 * `--model sim-fast --host`). GSM8K and AIME rows carry no level: both paths must give them the
 * same one.
 */
const datasets = ['gsm8k.jsonl', 'math500.jsonl', 'aime24.jsonl'].map((f) => join(sharedDir, 'datasets', f));
const present = datasets.every((f) => {
  try {
    readFileSync(f);
    return true;
  } catch {
    return false;
  }
});

type Row = { problemId: string; intervention: string; sample: number; correct: boolean; answer?: string | undefined; thinkingTokens: number; answerTokens: number };

function outcomes(runDir: string): Map<string, Omit<Row, 'problemId' | 'intervention' | 'sample'>> {
  const rows = readFileSync(join(runDir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
  return new Map(rows.map((r) => [`${r.problemId}|${r.intervention}|${r.sample}`, { correct: r.correct, answer: r.answer, thinkingTokens: r.thinkingTokens, answerTokens: r.answerTokens }]));
}

describe('the simulator in-process and over HTTP', () => {
  it.skipIf(!present)(needsShared('agree row for row on a real-dataset suite', datasets[0]!), async () => {
    const work = mkdtempSync(join(tmpdir(), 'thinkprobe-sim-parity-'));
    const limits = [3, 3, 2];
    const suiteFile = join(work, 'real.suite.json');
    writeFileSync(
      suiteFile,
      JSON.stringify({
        name: 'real',
        model: 'sim:sim-fast',
        maxThinkingTokens: 2048,
        problems: datasets.map((dataset, i) => ({ dataset, limit: limits[i] })),
        interventions: [{ type: 'baseline' }, { type: 'budget', tokens: 48 }],
        checks: [],
      }),
    );
    // The answer key `thinkprobe sim --answers` reads: the same dataset lines, as they are.
    const key = join(work, 'key.jsonl');
    writeFileSync(key, datasets.map((f, i) => readFileSync(f, 'utf8').split('\n').slice(0, limits[i]).join('\n')).join('\n'));

    const inProcess = await runSuite({ suiteFile, out: join(work, 'in-process'), html: false, log: () => undefined });
    const server = await startSimServer({ port: 0, answers: key });
    let overHttp;
    try {
      overHttp = await runSuite({ suiteFile, model: 'sim-fast', host: server.url, concurrency: 2, out: join(work, 'http'), html: false, log: () => undefined });
    } finally {
      await server.close();
    }
    const a = outcomes(inProcess.runDir);
    const b = outcomes(overHttp.runDir);
    expect(a.size).toBe(16);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, row] of a) expect({ k, ...b.get(k) }).toEqual({ k, ...row });
  });
});
