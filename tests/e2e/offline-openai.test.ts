/**
 * Offline re-analysis of a run made on an OpenAI-compatible server: its one-request L-hat scores
 * (echo + logprobs) were kept in the store, so the offline run replays them with no server and
 * gives the same results, L-hat included.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSuite } from '../../src/runner/run-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'tp-offline-openai-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const suite = `name: offline-openai
model: openai:sim:sim-qwq
template: chatml-qwq
problems:
  - family: linear-equation
    count: 2
    difficulty: 3
    seed: 9
samples: 1
maxThinkingTokens: 2048
interventions:
  - type: baseline
  - type: probes
    every: 128
    label: probes
checks:
  - type: budgetRespected
`;

function rows(runDir: string): { key: string; answer: unknown; correct: unknown; confidence: unknown }[] {
  return readFileSync(join(runDir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { key: string; answer: unknown; correct: unknown; confidence: unknown })
    .map(({ key, answer, correct, confidence }) => ({ key, answer, correct, confidence }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

describe('offline re-analysis of an OpenAI-compatible run', () => {
  it('replays the one-request L-hat scores from the store, with no server', async () => {
    const suiteFile = join(dir, 'offline-openai.yaml');
    writeFileSync(suiteFile, suite);
    const online = await runSuite({ suiteFile, out: join(dir, 'reports'), html: false, log: () => undefined });
    expect(online.status).toBe('completed');
    const probed = rows(online.runDir).flatMap((r) => r.confidence as { lhat?: number }[]);
    expect(probed.filter((p) => typeof p.lhat === 'number').length).toBeGreaterThan(2);
    // The embedded simulator stopped with the run: nothing serves this one.
    const offline = await runSuite({ suiteFile, out: join(dir, 'reports'), html: false, offlineFrom: online.runDir, log: () => undefined });
    expect(offline.status).toBe('completed');
    expect(rows(offline.runDir)).toEqual(rows(online.runDir));
  });
});
