import { describe, expect, it } from 'vitest';
import { boundedProbesCause, runCheck } from './index.ts';
import { context, labeled, row } from './fixtures.ts';
import type { CheckSpec } from './registry.ts';

const errored = (problemId: string, intervention: string) => row(problemId, intervention, false, { thinkingTokens: 0, answerTokens: 0, error: `problem ${problemId}: refused` });

describe('runCheck leaves errored rows out', () => {
  it('tokensSavedAtLeast does not count an errored row as 0 tokens, and says what it left out', async () => {
    const rows = [
      row('p0', 'baseline', true),
      row('p1', 'baseline', true),
      row('p0', 'budget(256)', true, { thinkingTokens: 900 }),
      errored('p1', 'budget(256)'),
    ];
    const spec = { type: 'tokensSavedAtLeast', intervention: 'budget(256)', baseline: 'baseline', min: 0.5, tokens: 'total' } as CheckSpec;
    const verdict = await runCheck(spec, context(rows, labeled({ type: 'baseline' }, { type: 'budget', tokens: 256 })));
    // With the errored row as 0 tokens the saving would be 1 - 500/1100 = 55% and pass.
    expect(verdict.verdict).toBe('fail');
    expect(verdict.evidence['pairs']).toBe(1);
    expect(verdict.summary).toMatch(/\(1 errored result left out\)$/);
    expect(verdict.evidence['erroredLeftOut']).toBe(1);
  });

  it('accuracyAtLeast judges the produced rows only', async () => {
    const rows = [row('p0', 'baseline', true), errored('p1', 'baseline'), errored('p2', 'baseline')];
    const spec = { type: 'accuracyAtLeast', intervention: 'baseline', min: 0.9, bound: 'point', confidence: 0.95 } as CheckSpec;
    const verdict = await runCheck(spec, context(rows));
    expect(verdict.verdict).toBe('pass');
    expect(verdict.summary).toMatch(/\(2 errored results left out\)$/);
  });

  it('counts only the errored rows of the interventions a check reads', async () => {
    const rows = [row('p0', 'baseline', true), errored('p0', 'other')];
    const spec = { type: 'accuracyAtLeast', intervention: 'baseline', min: 0.5, bound: 'point', confidence: 0.95 } as CheckSpec;
    expect((await runCheck(spec, context(rows))).summary).not.toContain('left out');
  });
});

describe('skip reasons', () => {
  const bounds = (probes: number, bounded: number, alternatives: number) => ({ probeBounds: { probes, bounded, alternatives, asked: 20 } });

  it('name all-bounded probes and the alternatives the server returned', () => {
    const rows = [row('p0', 'baseline', true, bounds(12, 12, 3)), row('p1', 'baseline', true, bounds(12, 12, 3))];
    expect(boundedProbesCause(rows)).toBe('all 24 probes are top-k bounds: the server returned 3 alternatives, 20 were asked');
    expect(boundedProbesCause([row('p0', 'baseline', true, bounds(4, 4, 20))])).toBe("all 4 probes are top-k bounds: the reference's tokens were not among the 20 alternatives the server returned");
    expect(boundedProbesCause([row('p0', 'baseline', true, bounds(4, 3, 3))])).toBeUndefined();
    expect(boundedProbesCause([row('p0', 'baseline', true)])).toBeUndefined();
  });

  it('are appended to a skipped verdict', async () => {
    const rows = [row('p0', 'baseline', true, bounds(24, 24, 3))];
    const spec = { type: 'confidenceRises', intervention: 'baseline', measure: 'lhat', minRho: 0, minShare: 0.7, minPoints: 3 } as CheckSpec;
    const verdict = await runCheck(spec, context(rows));
    expect(verdict.verdict).toBe('skipped');
    expect(verdict.summary).toMatch(/: all 24 probes are top-k bounds: the server returned 3 alternatives, 20 were asked$/);
  });
});
