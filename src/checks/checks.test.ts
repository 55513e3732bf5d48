import { describe, expect, it } from 'vitest';
import { validateSuite } from '../suite/suite.ts';
import type { CheckSpec, CheckSpecInput } from './registry.ts';
import { checkName, runCheck } from './index.ts';
import { budget, context, labeled, row, rowsFor } from './fixtures.ts';
import type { CheckContext, CheckResult, ConfidencePoint, ResultRow } from './types.ts';

/** A check value with its defaults applied, exactly as a suite file would give it. */
function spec(input: CheckSpecInput, labels: string[] = ['baseline']): CheckSpec {
  const interventions = labels.map((label) => (label === 'baseline' ? { type: 'baseline' as const } : { type: 'noThinking' as const, label }));
  const suite = validateSuite({ name: 't', problems: [{ id: 'a', question: 'q', answer: 1 }], interventions, checks: [input] }, 'test');
  return suite.checks[0] as CheckSpec;
}

async function run(input: CheckSpecInput, ctx: CheckContext, labels?: string[]): Promise<CheckResult> {
  const result = await runCheck(spec(input, labels), ctx);
  // Evidence and counterexamples go to summary.json: they must survive JSON unchanged.
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  return result;
}

describe('accuracyAtLeast', () => {
  const ctx = context(rowsFor('baseline', 10, 8));
  it('passes at the point estimate and fails above it', async () => {
    expect((await run({ type: 'accuracyAtLeast', min: 0.8 }, ctx)).verdict).toBe('pass');
    const fail = await run({ type: 'accuracyAtLeast', min: 0.81 }, ctx);
    expect(fail.verdict).toBe('fail');
    expect(fail.evidence).toMatchObject({ n: 10, correct: 8, accuracy: 0.8 });
    expect(fail.summary).toContain('0.800 (8/10');
  });
  it('uses the Wilson lower bound when asked', async () => {
    const result = await run({ type: 'accuracyAtLeast', min: 0.6, bound: 'wilsonLower' }, ctx);
    expect(result.verdict).toBe('fail');
    expect(result.evidence['low']).toBeCloseTo(0.4902, 3);
  });
  it('is an error when the intervention has no rows', async () => {
    expect((await run({ type: 'accuracyAtLeast', min: 0.5 }, context([]))).verdict).toBe('error');
  });
});

describe('accuracyDropAtMost', () => {
  const rows = [...rowsFor('baseline', 10, 9), ...rowsFor('fast', 10, 7)];
  it('compares the paired drop with maxDrop', async () => {
    const pass = await run({ type: 'accuracyDropAtMost', intervention: 'fast', maxDrop: 0.2 }, context(rows), ['baseline', 'fast']);
    expect(pass.verdict).toBe('pass');
    expect(pass.evidence).toMatchObject({ pairs: 10, baselineAccuracy: 0.9, accuracy: 0.7, onlyBaselineCorrect: 2, onlyInterventionCorrect: 0 });
    expect(pass.evidence['drop']).toBeCloseTo(0.2, 12);
    const fail = await run({ type: 'accuracyDropAtMost', intervention: 'fast', maxDrop: 0.1 }, context(rows), ['baseline', 'fast']);
    expect(fail.verdict).toBe('fail');
  });
  it('pairs on problem x sample, not on position', async () => {
    const shuffled = [...rowsFor('baseline', 10, 9), ...rowsFor('fast', 10, 7).reverse()];
    const result = await run({ type: 'accuracyDropAtMost', intervention: 'fast', maxDrop: 0.2 }, context(shuffled), ['baseline', 'fast']);
    expect(result.evidence).toMatchObject({ onlyBaselineCorrect: 2, onlyInterventionCorrect: 0 });
  });
  it('non-inferiority needs evidence, not just a small observed drop', async () => {
    const same = [...rowsFor('baseline', 10, 9), ...rowsFor('fast', 10, 9)];
    const few = await run({ type: 'accuracyDropAtMost', intervention: 'fast', maxDrop: 0.05, bound: 'nonInferiority' }, context(same), ['baseline', 'fast']);
    expect(few.verdict).toBe('fail');
    const many = [...rowsFor('baseline', 400, 360), ...rowsFor('fast', 400, 360)];
    const enough = await run({ type: 'accuracyDropAtMost', intervention: 'fast', maxDrop: 0.05, bound: 'nonInferiority' }, context(many), ['baseline', 'fast']);
    expect(enough.verdict).toBe('pass');
  });
});

describe('tokensSavedAtLeast', () => {
  const rows = [...rowsFor('baseline', 4, 4), ...rowsFor('fast', 4, 4, { thinkingTokens: 500 })];
  it('measures the saving on total or thinking tokens', async () => {
    const total = await run({ type: 'tokensSavedAtLeast', intervention: 'fast', min: 0.4 }, context(rows), ['baseline', 'fast']);
    expect(total.verdict).toBe('pass');
    expect(total.evidence['saving']).toBeCloseTo(1 - 600 / 1100, 12);
    expect((await run({ type: 'tokensSavedAtLeast', intervention: 'fast', min: 0.5 }, context(rows), ['baseline', 'fast'])).verdict).toBe('fail');
    expect((await run({ type: 'tokensSavedAtLeast', intervention: 'fast', min: 0.5, tokens: 'thinking' }, context(rows), ['baseline', 'fast'])).verdict).toBe('pass');
  });
});

describe('monotoneInBudget', () => {
  const interventions = labeled({ type: 'baseline' }, budget(1024), budget(256), budget(512));
  const rows = [...rowsFor('budget(256)', 20, 10), ...rowsFor('budget(512)', 20, 14), ...rowsFor('budget(1024)', 20, 13)];
  it('fails when accuracy falls between consecutive budgets, in budget order', async () => {
    const fail = await runCheck({ type: 'monotoneInBudget', tolerance: 0 }, context(rows, interventions));
    expect(fail.verdict).toBe('fail');
    expect(fail.evidence['violations']).toEqual([{ from: 'budget(512)', to: 'budget(1024)', fromAccuracy: 0.7, toAccuracy: 0.65, dip: 0.7 - 0.65 }]);
    const within = await runCheck({ type: 'monotoneInBudget', tolerance: 0.1 }, context(rows, interventions));
    expect(within.verdict).toBe('pass');
    expect(within.summary).toMatch(/^accuracy falls by no more than the tolerance 0\.1/);
  });
  it('is skipped with fewer than two budgets', async () => {
    expect((await runCheck({ type: 'monotoneInBudget', tolerance: 0 }, context(rowsFor('budget(256)', 3, 1), labeled(budget(256))))).verdict).toBe('skipped');
  });
});

function trace(values: number[], key: 'lhat' | 'pCorrect' = 'lhat', step = 100): ConfidencePoint[] {
  return values.map((value, i) => ({ position: i * step, normalized: i / Math.max(1, values.length - 1), [key]: value }));
}

describe('confidenceRises', () => {
  const falling = trace([3, 2.5, 2, 1.2, 0.4]);
  const rising = trace([0.4, 1, 2, 2.5, 3]);
  it('passes when enough correct traces have falling L-hat, ignoring incorrect ones', async () => {
    const rows = [
      row('a', 'baseline', true, { confidence: falling }),
      row('b', 'baseline', true, { confidence: falling }),
      row('c', 'baseline', true, { confidence: rising }),
      row('d', 'baseline', false, { confidence: rising }),
    ];
    const pass = await run({ type: 'confidenceRises', minShare: 0.6 }, context(rows));
    expect(pass.verdict).toBe('pass');
    expect(pass.evidence).toMatchObject({ traces: 3, rising: 2 });
    expect(pass.evidence['notRising']).toEqual([{ problemId: 'c', sample: 0, rho: -1 }]);
    expect((await run({ type: 'confidenceRises', minShare: 0.7 }, context(rows))).verdict).toBe('fail');
  });
  it('reads pCorrect when asked, and skips traces without enough probes', async () => {
    const rows = [row('a', 'baseline', true, { confidence: trace([0.1, 0.5, 0.9], 'pCorrect') }), row('b', 'baseline', true, { confidence: trace([1, 0.5]) })];
    const result = await run({ type: 'confidenceRises', measure: 'pCorrect', minShare: 1 }, context(rows));
    expect(result.verdict).toBe('pass');
    expect(result.evidence['traces']).toBe(1);
    expect((await run({ type: 'confidenceRises' }, context([row('a', 'baseline', true)]))).verdict).toBe('skipped');
  });
});

describe('reflectionShift', () => {
  // L-hat falls 1% per interval, except by 20% over the intervals where "Wait" starts.
  function waitTrace(waitAt: number[]): ResultRow {
    const values = [10];
    for (let i = 1; i <= 10; i++) {
      const hasWait = waitAt.some((p) => p >= (i - 1) * 100 && p < i * 100);
      values.push(values[i - 1]! * (hasWait ? 0.8 : 0.99));
    }
    return row(`t${waitAt.join('-')}`, 'baseline', true, {
      confidence: trace(values),
      reflections: [...waitAt.map((position) => ({ position, word: 'Wait' })), { position: 950, word: 'Alternatively' }],
    });
  }
  const rows = [waitTrace([150, 620]), waitTrace([330])];
  it('pools the relative L-hat change at the word against all intervals', async () => {
    const pass = await run({ type: 'reflectionShift', word: 'wait' }, context(rows));
    expect(pass.verdict).toBe('pass');
    expect(pass.evidence).toMatchObject({ intervalsAtWord: 3, intervals: 20, traces: 2 });
    expect(pass.evidence['atWord']).toBeCloseTo(0.2, 12);
    expect(pass.evidence['overall']).toBeCloseTo((3 * 0.2 + 17 * 0.01) / 20, 12);
    expect((await run({ type: 'reflectionShift', minRatio: 10 }, context(rows))).verdict).toBe('fail');
  });
  it('is skipped when the word never falls between probes', async () => {
    expect((await run({ type: 'reflectionShift', word: 'Hmm' }, context(rows))).verdict).toBe('skipped');
  });
});

describe('budgetRespected', () => {
  const interventions = labeled({ type: 'baseline' }, budget(100, { answerTokens: 50 }));
  const cap = interventions[1]!.label;
  it('labels budgets as the engine does', () => expect(cap).toBe('budget(100,answer=50)'));
  it('passes when thinking stays within the budget and equals it where the cap fired', async () => {
    const rows = [row('a', cap, true, { thinkingTokens: 100, capFired: true, answerTokens: 50 }), row('b', cap, true, { thinkingTokens: 80, answerTokens: 10 })];
    expect((await runCheck({ type: 'budgetRespected' }, context(rows, interventions))).verdict).toBe('pass');
  });
  it('lists each kind of violation', async () => {
    const rows = [
      row('a', cap, true, { thinkingTokens: 101, answerTokens: 10 }),
      row('b', cap, true, { thinkingTokens: 90, capFired: true, answerTokens: 10 }),
      row('c', cap, true, { thinkingTokens: 100, capFired: true, answerTokens: 51 }),
      row('d', 'baseline', true, { thinkingTokens: 5000 }),
    ];
    const result = await runCheck({ type: 'budgetRespected' }, context(rows, interventions));
    expect(result.verdict).toBe('fail');
    expect((result.evidence['violations'] as { problemId: string; rule: string }[]).map((v) => [v.problemId, v.rule])).toEqual([
      ['a', 'thinking tokens exceed the budget'],
      ['b', 'the cap fired below the budget'],
      ['c', 'answer tokens exceed 50'],
    ]);
  });
  it('is skipped without budget interventions', async () => {
    expect((await runCheck({ type: 'budgetRespected' }, context(rowsFor('baseline', 2, 2)))).verdict).toBe('skipped');
  });
});

describe('runCheck', () => {
  it('turns a check that throws into an error verdict', async () => {
    const result = await runCheck({ kind: 'custom', name: 'boom', run: async () => { throw new Error('kaput\nstack'); } }, context([]));
    expect(result).toEqual({ name: 'boom', verdict: 'error', summary: 'the check failed to run: kaput', evidence: {} });
  });
  it('names checks from their parameters unless named', () => {
    expect(checkName(spec({ type: 'accuracyAtLeast', min: 0.9 }))).toBe('accuracyAtLeast(baseline >= 0.9)');
    expect(checkName(spec({ type: 'accuracyAtLeast', min: 0.9, name: 'gate' }))).toBe('gate');
  });
});
