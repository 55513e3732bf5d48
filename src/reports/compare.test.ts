import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../tests/fixtures/synthetic-run.ts';
import { InputError } from '../core/errors.ts';
import { compareRuns } from './compare.ts';

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
});
