import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../tests/fixtures/synthetic-run.ts';
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
    // B's results point at B's traces, which follow A's in the combined data.
    const firstB = data.results.find((r) => r.intervention.startsWith('B:'))!;
    expect(data.traces[firstB.trace!]).toBe(data.traces[a.traces.length + b.results[0]!.trace!]);
  });
});
