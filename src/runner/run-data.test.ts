import { describe, expect, it } from 'vitest';
import type { GradedResult, Result } from '../core/model.ts';
import { buildRunData } from './run-data.ts';

function graded(problemId: string, label: string, correct: boolean, lhat: number[], reflections: number[], thinking = 100): GradedResult {
  const record = {
    key: `${problemId}|${label}|0`,
    problemId,
    intervention: { type: label, label, params: {} },
    sample: 0,
    seed: 0,
    trace: [{ kind: 'prompt', text: 'q' }],
    counts: { thinking, answer: 10, generated: thinking + 10, injected: 0, injectedChars: 0 },
    capFired: false,
    probes: [],
    cost: { alone: { prefill: 10, decoded: 110, total: 120 }, tree: { prefill: 5, decoded: 50, wallMs: 1, total: 55 } },
  } as unknown as Result;
  return {
    ...record,
    extracted: null,
    correct,
    confidence: lhat.map((value, i) => ({ position: (i + 1) * 10, normalized: ((i + 1) * 10) / thinking, lhat: value, pCorrect: Math.exp(-value) })),
    reflections: reflections.map((position) => ({ position, word: 'Wait' })),
  };
}

describe('buildRunData', () => {
  const interventions = [
    { label: 'baseline', intervention: { type: 'baseline' as const } },
    { label: 'cheap', intervention: { type: 'budget' as const, tokens: 50 } },
  ];
  const problems = ['a', 'b', 'c'].map((id) => ({ id, question: `q ${id}`, answer: '1' }));

  it('aggregates accuracy with Wilson intervals, tokens, costs, budgets and the Pareto frontier', () => {
    const results = [
      graded('a', 'baseline', true, [2, 1], []),
      graded('b', 'baseline', true, [2, 1], []),
      graded('c', 'baseline', false, [2, 2], []),
      graded('a', 'cheap', true, [2], [], 50),
      graded('b', 'cheap', false, [2], [], 50),
      graded('c', 'cheap', false, [2], [], 50),
    ];
    const data = buildRunData({ run: { id: 'r', suite: 's', model: 'm', startedAt: 't', thinkprobeVersion: '0', environment: {} }, interventions, problems, results, checks: [] });
    const [baseline, cheap] = data.interventions;
    expect(baseline).toMatchObject({ n: 3, meanThinkingTokens: 100, costAlone: 120, costShared: 55, onParetoFrontier: true });
    expect(baseline!.accuracy.estimate).toBeCloseTo(2 / 3);
    expect(baseline!.accuracy.low).toBeCloseTo(0.2077, 3);
    expect(cheap).toMatchObject({ n: 3, budget: 50, meanThinkingTokens: 50, onParetoFrontier: true });
    expect(data.results).toHaveLength(6);
    expect(data.traces).toHaveLength(6);
  });

  it('pools the reflection shift over traces that have reflection steps, ignoring the others', () => {
    const results = [
      // A reflection at 15 falls in the step 10 -> 20: relative change |1 - 2| / 2 = 0.5.
      graded('a', 'baseline', true, [2, 1, 0.9], [15]),
      // No reflection word at all: contributes only to the all-positions mean.
      graded('b', 'baseline', true, [1, 0.9, 0.81], []),
    ];
    const data = buildRunData({ run: { id: 'r', suite: 's', model: 'm', startedAt: 't', thinkprobeVersion: '0', environment: {} }, interventions, problems, results, checks: [] });
    const shift = data.reflectionShift?.find((s) => s.intervention === 'baseline');
    expect(shift?.atReflection).toBeCloseTo(0.5);
    expect(shift?.allPositions).toBeCloseTo((0.5 + 0.1 + 0.1 + 0.1) / 4);
    expect(shift?.count).toBe(1);
  });
});
