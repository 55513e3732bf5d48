import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateCost, readAnyPrior, readGoldenPrior, readPrior } from './estimate.ts';

const base = { labels: ['baseline', 'budget(256)'], resultsPerLabel: 10, maxThinkingTokens: 1000, answerTokens: 100, latency: undefined, concurrency: 2 };

describe('estimateCost', () => {
  it('scales a measured prior to the plan, and its wall time over the slots', () => {
    const prior = {
      byLabel: new Map([
        ['baseline', { prefill: 50, decoded: 400, wallMs: 100 }],
        ['budget(256)', { prefill: 5, decoded: 20, wallMs: 10 }],
      ]),
      requestsPerResult: 1.5,
      source: 'r',
    };
    expect(estimateCost({ ...base, prior })).toEqual({ results: 20, requests: 30, promptTokens: 550, generatedTokens: 4200, wallMs: 550, basis: 'measured', unpriced: [] });
    const latency = { prefillMsPerToken: 0.1, decodeMsPerToken: 10 };
    expect(estimateCost({ ...base, prior, latency }).wallMs).toBe(Math.round((550 * 0.1 + 4200 * 10) / 2));
    // A server whose parallel streams slow each other (the simulator's presets): 2 slots, +15% each.
    expect(estimateCost({ ...base, prior, latency: { ...latency, slowdownPerSlot: 0.15 } }).wallMs).toBe(Math.round((550 * 0.1 + 4200 * 10 * 1.15) / 2));
  });

  it('without a prior gives an upper bound on generated tokens and no prompt or wall figure', () => {
    const e = estimateCost({ ...base, prior: undefined });
    expect(e).toMatchObject({ results: 20, requests: 20, promptTokens: null, generatedTokens: 20 * 1100, wallMs: null, basis: 'upper-bound' });
    const mixed = estimateCost({ ...base, prior: { byLabel: new Map([['baseline', { prefill: 1, decoded: 2, wallMs: 3 }]]), requestsPerResult: 1, source: 'r' } });
    expect(mixed).toMatchObject({ basis: 'mixed', unpriced: ['budget(256)'], generatedTokens: 10 * 2 + 10 * 1100, wallMs: null });
  });
});

describe('readPrior', () => {
  it('averages the shared cost per intervention and names a bad line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-estimate-'));
    const row = (intervention: string, decoded: number) => JSON.stringify({ intervention, cost: { tree: { prefill: 2, decoded, wallMs: 4 } } });
    writeFileSync(join(dir, 'results.jsonl'), `${row('baseline', 10)}\n${row('baseline', 30)}\n${row('x', 1)}\n`);
    const prior = readPrior(dir);
    expect(prior.byLabel.get('baseline')).toEqual({ prefill: 2, decoded: 20, wallMs: 4 });
    expect(prior.requestsPerResult).toBe(1);
    writeFileSync(join(dir, 'results.jsonl'), `${row('baseline', 10)}\nnot json\n`);
    expect(() => readPrior(dir)).toThrow(/results\.jsonl:2: expected one JSON result per line/);
  });
});

describe('a golden file as the prior', () => {
  it('prices generated tokens per result from its outcomes, leaves prompt tokens and wall time unknown, and names a bad outcome', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-estimate-golden-'));
    const file = join(dir, 'sim.json');
    const outcome = (intervention: string, thinkingTokens: number) => ({ problemId: 'p', intervention, sample: 0, correct: true, thinkingTokens, answerTokens: 10, answer: '1' });
    writeFileSync(file, JSON.stringify({ format: 'x', outcomes: [outcome('baseline', 90), outcome('baseline', 290), outcome('budget(256)', 246)] }));
    const prior = readAnyPrior(file);
    expect(prior.byLabel.get('baseline')?.decoded).toBe(200);
    const e = estimateCost({ ...base, prior });
    expect(e).toMatchObject({ results: 20, requests: 20, promptTokens: null, generatedTokens: 10 * 200 + 10 * 256, wallMs: null, basis: 'measured' });
    expect(estimateCost({ ...base, prior, latency: { prefillMsPerToken: 0, decodeMsPerToken: 10 } }).wallMs).toBe(Math.round((4560 * 10) / 2));
    writeFileSync(file, JSON.stringify({ outcomes: [{ intervention: 'baseline', thinkingTokens: 'many' }] }));
    expect(() => readGoldenPrior(file)).toThrow(/sim\.json: \/outcomes\/0: expected intervention, thinkingTokens and answerTokens/);
  });
});
