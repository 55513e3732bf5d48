import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../tests/fixtures/synthetic-run.ts';
import { InputError } from '../core/errors.ts';
import { compareRuns } from './compare.ts';
import { stratifiedPermutationWorse } from '../metrics/stratified.ts';

describe('compareRuns', () => {
  it('fails an intervention whose paired accuracy dropped significantly and passes an unchanged one', () => {
    const a = syntheticRun({ problems: 40, interventions: ['baseline', 'noThinking'] });
    const b = structuredClone(a);
    for (const r of a.results) r.correct = true;
    for (const r of b.results) r.correct = r.intervention === 'baseline' ? true : Number(r.problemId.slice(1)) % 4 === 0;
    const { data, rows } = compareRuns(a, b);
    const baseline = rows.find((r) => r.intervention === 'baseline')!;
    const noThinking = rows.find((r) => r.intervention === 'noThinking')!;
    expect(baseline).toMatchObject({ pairs: 40, lost: 0, gained: 0, difference: 0 });
    expect(noThinking).toMatchObject({ pairs: 40, lost: 30, gained: 0 });
    expect(noThinking.pValue).toBeLessThan(1e-6);
    expect(data.checks.map((c) => c.verdict)).toEqual(['pass', 'fail']);
    expect(data.results.filter((r) => r.flip === 'lost')).toHaveLength(30);
    // The side-by-side view gets the same rows and every flipped pair, with both outcomes.
    expect(data.comparison?.rows.map((r) => r.intervention)).toEqual(['baseline', 'noThinking']);
    expect(data.comparison?.flips).toHaveLength(30);
    expect(data.comparison?.flips.every((f) => f.intervention === 'noThinking' && f.a && !f.b)).toBe(true);
    // B's results point at B's traces, which follow A's in the combined data.
    const firstB = data.results.find((r) => r.intervention.startsWith('B:'))!;
    expect(data.traces[firstB.trace!]).toBe(data.traces[a.traces.length + b.results[0]!.trace!]);
  });

  it('tests for a drop one-sided, at alpha split over the shared interventions', () => {
    const a = syntheticRun({ problems: 20, interventions: ['baseline', 'noThinking'] });
    for (const r of a.results) r.correct = true;
    const b = structuredClone(a);
    // Five lost, none gained: one-sided p = 1/32 = 0.031, under alpha 0.05 but not under 0.05 / 2.
    for (const r of b.results) if (r.intervention === 'noThinking' && Number(r.problemId.slice(1)) < 5) r.correct = false;
    const { data, rows } = compareRuns(a, b);
    expect(rows.find((r) => r.intervention === 'noThinking')?.worseP).toBeCloseTo(1 / 32);
    expect(data.checks.map((c) => c.verdict)).toEqual(['pass', 'pass']);
    // A significant gain is never a failure.
    const { data: improved } = compareRuns(b, a);
    expect(improved.checks.map((c) => c.verdict)).toEqual(['pass', 'pass']);
  });

  it('clusters by problem with samples: a drop on one problem in all 8 samples is not 8 independent losses', () => {
    const a = syntheticRun({ problems: 12, interventions: ['baseline'], samples: 8 });
    for (const r of a.results) r.correct = true;
    const b = structuredClone(a);
    // Problem p0 is lost in all 8 samples: a per-row McNemar would say p = 1/256; one problem of 12 is p = 1/2.
    for (const r of b.results) if (r.problemId === 'p0000') r.correct = false;
    const { data, rows } = compareRuns(a, b);
    const row = rows[0]!;
    expect(row).toMatchObject({ pairs: 96, lost: 8, gained: 0, clustered: true });
    expect(row.worseP).toBeCloseTo(0.5, 12);
    expect(data.checks[0]?.verdict).toBe('pass');
    expect(data.checks[0]?.summary).toContain('sign-flip test clustered by problem p=0.500');
    expect(data.checks[0]?.summary).toContain('95% CI, clustered by problem (8 samples) ');
    // The same loss spread over 8 different problems (one sample each) is significant.
    const c = structuredClone(a);
    for (const r of c.results) if (r.sample === 0 && Number(r.problemId.slice(1)) < 8) r.correct = false;
    expect(compareRuns(a, c).rows[0]!.worseP).toBeCloseTo(2 ** -8, 12);
  });

  it('never pairs a problem whose question or reference changed between the runs, and keeps both versions', () => {
    const a = syntheticRun({ problems: 6, interventions: ['baseline'] });
    const b = structuredClone(a);
    b.problems[0]!.question = 'What is 9 + 9?';
    b.problems[0]!.answer = '18';
    for (const r of b.results) r.correct = !r.correct;
    const { data, rows } = compareRuns(a, b);
    expect(rows[0]!.pairs).toBe(5);
    expect(data.checks.find((c) => c.name === 'same problems')?.summary).toMatch(/^1 problem id\(s\) .* p0000/);
    expect(data.problems.find((p) => p.id === 'p0000')?.question).toBe(a.problems[0]!.question);
    expect(data.problems.find((p) => p.id === 'p0000 (B)')?.question).toBe('What is 9 + 9?');
    expect(data.results.filter((r) => r.problemId === 'p0000 (B)' && r.flip)).toHaveLength(0);
  });

  it('refuses two runs with nothing to pair, in one line naming both runs (bad input, not NaN)', () => {
    const a = syntheticRun({ problems: 6, interventions: ['baseline', 'noThinking'] });
    const b = structuredClone(a);
    for (const r of b.results) r.problemId = `q${r.problemId}`;
    for (const p of b.problems) p.id = `q${p.id}`;
    const error = (() => {
      try {
        compareRuns(a, b, { names: { a: 'reports/x/1', b: 'reports/x/2' } });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect(error?.message).toMatch(/^compare reports\/x\/1 reports\/x\/2: expected runs with problems in common .*A has 6 problems \(p0000, .* and 1 more\), B has 6 \(qp0000, /);
    expect(error?.message).not.toContain('\n');
    // Same ids with another question: not comparable either, and said so.
    const changed = structuredClone(a);
    for (const p of changed.problems) p.question = `${p.question} (edited)`;
    expect(() => compareRuns(a, changed)).toThrow(/6 share an id but not the question or reference/);
    // No intervention label in common.
    const relabelled = structuredClone(a);
    for (const i of relabelled.interventions) i.label = `x-${i.label}`;
    for (const r of relabelled.results) r.intervention = `x-${r.intervention}`;
    expect(() => compareRuns(a, relabelled)).toThrow(/expected runs with an intervention label in common, got A: baseline, noThinking; B: x-baseline, x-noThinking$/);
  });

  it('compares runs that share only some problems, skipping an intervention without pairs in words', () => {
    const a = syntheticRun({ problems: 6, interventions: ['baseline', 'noThinking'] });
    const b = structuredClone(a);
    for (const r of b.results) if (r.intervention === 'noThinking') r.problemId = `q${r.problemId}`;
    const { data } = compareRuns(a, b);
    expect(data.checks.map((c) => c.verdict)).toEqual(['pass', 'skipped']);
    expect(data.checks[1]?.summary).not.toMatch(/NaN/);
  });

  describe('runs with different samples per problem (A samples 1, B samples 4)', () => {
    const num = (id: string) => Number(id.slice(1));
    const runs = (bCorrect: (problem: number, sample: number) => boolean) => {
      const a = syntheticRun({ problems: 16, interventions: ['baseline', 'noThinking'] });
      const b = syntheticRun({ problems: 16, interventions: ['baseline', 'noThinking'], samples: 4 });
      for (const r of a.results) r.correct = true;
      for (const r of b.results) r.correct = r.intervention === 'baseline' || bCorrect(num(r.problemId), r.sample);
      return { a, b };
    };

    it('pairs by problem, so every sample of B counts, and names the stratified test', () => {
      // noThinking: problems 0-7 right in 1 of B's 4 samples (sample 0), the rest in all 4.
      const { a, b } = runs((p, s) => p >= 8 || s === 0);
      const { data, rows } = compareRuns(a, b);
      const row = rows.find((r) => r.intervention === 'noThinking')!;
      expect(row).toMatchObject({ test: 'stratified', pairs: 16, problems: 16, samplesA: 1, samplesB: 4, lost: 8, gained: 0, accuracyA: 1, clustered: true });
      expect(row.accuracyB).toBeCloseTo((8 * 0.25 + 8) / 16, 12);
      expect(row.difference).toBeCloseTo(-0.375, 12);
      expect(row.low).toBeLessThan(row.difference);
      expect(row.high).toBeLessThan(0);
      // The stratified test on the per-problem counts, not McNemar on sample 0 (which sees no loss at all).
      const counts = Array.from({ length: 16 }, (_, p) => ({ problemId: `p${String(p).padStart(4, '0')}`, aSamples: 1, aCorrect: 1, bSamples: 4, bCorrect: p >= 8 ? 4 : 1 }));
      expect(row.worseP).toBeCloseTo(stratifiedPermutationWorse(counts).pWorse, 12);
      expect(row.worseP).toBeLessThan(0.025);
      expect(data.checks.map((c) => c.verdict)).toEqual(['pass', 'fail']);
      const summary = data.checks[1]!.summary;
      expect(summary).toContain('one-sided permutation test stratified by problem');
      expect(summary).toContain('A 1 and B 4 samples per problem: 8 problems fell, 0 rose');
      expect(data.checks[0]!.summary).toContain('0 problems fell, 0 rose');
      expect(data.comparison?.rows.map((r) => r.test)).toEqual(['stratified', 'stratified']);
      // The flip list names the problems whose accuracy moved, with both sides' counts; no sample.
      const flips = data.comparison!.flips;
      expect(flips.map((f) => f.problemId).sort()).toEqual(counts.slice(0, 8).map((c) => c.problemId));
      expect(flips[0]).toEqual({ problemId: flips[0]!.problemId, intervention: 'noThinking', a: true, b: false, correctA: 1, samplesA: 1, correctB: 1, samplesB: 4 });
      // B's results: the wrong samples of the problems that fell are the ones marked lost.
      const lost = data.results.filter((r) => r.flip === 'lost');
      expect(lost).toHaveLength(8 * 3);
      expect(lost.every((r) => r.intervention === 'B:noThinking' && !r.correct && num(r.problemId) < 8)).toBe(true);
      expect(data.results.some((r) => r.flip === 'gained')).toBe(false);
    });

    it('an unchanged B passes, a rise is gained and never a failure, in either direction of the comparison', () => {
      const same = runs(() => true);
      const { data, rows } = compareRuns(same.a, same.b);
      expect(rows.map((r) => r.worseP)).toEqual([1, 1]);
      expect(data.checks.map((c) => c.verdict)).toEqual(['pass', 'pass']);
      expect(data.comparison!.flips).toEqual([]);
      // B (4 samples) worse than A (1 sample), compared the other way round: B becomes A and gains.
      const { a, b } = runs((p, s) => p >= 8 || s === 0);
      const reversed = compareRuns(b, a);
      const row = reversed.rows.find((r) => r.intervention === 'noThinking')!;
      expect(row).toMatchObject({ test: 'stratified', samplesA: 4, samplesB: 1, lost: 0, gained: 8 });
      expect(row.difference).toBeCloseTo(0.375, 12);
      expect(row.worseP).toBeGreaterThan(0.9);
      expect(row.pValue).toBeLessThan(0.05);
      expect(reversed.data.checks.map((c) => c.verdict)).toEqual(['pass', 'pass']);
      expect(reversed.data.comparison!.flips.every((f) => !f.a && f.b)).toBe(true);
    });

    it('equal samples keep pairing by sample (McNemar, or the sign-flip test with samples)', () => {
      const a = syntheticRun({ problems: 8, interventions: ['baseline'], samples: 4 });
      const b = structuredClone(a);
      for (const r of b.results) if (r.sample === 0) r.correct = !r.correct;
      const row = compareRuns(a, b).rows[0]!;
      expect(row).toMatchObject({ test: 'sign-flip', pairs: 32, problems: 8, samplesA: 4, samplesB: 4 });
      const one = syntheticRun({ problems: 8, interventions: ['baseline'] });
      expect(compareRuns(one, structuredClone(one)).rows[0]).toMatchObject({ test: 'mcnemar', pairs: 8, worseP: 1 });
      // A missing sample in B (an errored result left out) is no longer the same samples: by problem.
      const gap = structuredClone(a);
      gap.results = gap.results.filter((r) => !(r.problemId === 'p0003' && r.sample === 2));
      expect(compareRuns(a, gap).rows[0]).toMatchObject({ test: 'stratified', problems: 8, pairs: 8 });
    });
  });
});
