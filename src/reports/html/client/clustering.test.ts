import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../../../tests/fixtures/synthetic-run.ts';
import { clusterNote, samplesPerProblem } from './clustering.ts';

describe('clusterNote', () => {
  it('names the clustering when samples repeat a problem, and its number of samples', () => {
    const data = syntheticRun({ problems: 5, samples: 4 });
    expect(samplesPerProblem(data.results)).toBe(4);
    expect(clusterNote(data)).toBe('95% CI clustered by problem (4 samples per problem)');
  });

  it('says nothing for one sample per problem, even with many interventions of the same problem', () => {
    const data = syntheticRun({ problems: 5, samples: 1 });
    expect(samplesPerProblem(data.results)).toBe(1);
    expect(clusterNote(data)).toBeUndefined();
  });

  it('counts samples per problem and intervention, not per problem', () => {
    const data = syntheticRun({ problems: 3, samples: 1, interventions: ['baseline'] });
    const extra = data.results[0];
    if (extra) data.results.push({ ...extra, sample: 1 });
    expect(samplesPerProblem(data.results)).toBe(2);
  });
});
