import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { findReflectionPositions, pooledReflectionShift, reflectionPositionsInText, reflectionShift, reflectionShiftAt } from './reflection.ts';

describe('reflection positions', () => {
  it('finds words that start mid-token or span tokens, at the token holding the first character', () => {
    const tokens = ['So', ' x', ' =', ' 3', '.', ' Wait', ',', ' no', '.\n\nAltern', 'atively', ' Waiting'];
    expect(findReflectionPositions(tokens)).toEqual([5, 8]);
    expect(findReflectionPositions(tokens, ['no'])).toEqual([7]);
  });

  it('accepts the trace text and token offsets instead of tokens', () => {
    const text = 'x = 3. Wait, hold on. Hold on';
    // tokens: "x = 3." [0,6), " Wa" [6,9), "it, hold" [9,17), " on. " [17,22), "Hold on" [22,29)
    expect(reflectionPositionsInText(text, [0, 6, 9, 17, 22])).toEqual([1, 4]);
    // Text before the first token (e.g. the prompt) is ignored.
    expect(reflectionPositionsInText('Wait. x', [5])).toEqual([]);
    expect(() => reflectionPositionsInText(text, [5, 2])).toThrow(InputError);
  });
});

describe('reflectionShift', () => {
  it('compares the mean relative change at reflection steps with all steps', () => {
    const tokens = ['a', ' b', ' Wait', ' c'];
    // L(0..4) = 2, 1.8, 1.62, 0.81, 0.729: relative changes 0.1, 0.1, 0.5, 0.1; step 2 adds " Wait".
    const result = reflectionShift([2, 1.8, 1.62, 0.81, 0.729], tokens);
    expect(result.count).toBe(1);
    expect(result.atReflection).toBeCloseTo(0.5, 12);
    expect(result.allPositions).toBeCloseTo(0.2, 12);
    expect(result.ratio).toBeCloseTo(2.5, 12);
  });

  it('a custom word list changes which steps count', () => {
    const tokens = ['a', ' b', ' Wait', ' c'];
    const result = reflectionShift([2, 1.8, 1.62, 0.81, 0.729], tokens, ['b']);
    expect(result.count).toBe(1);
    expect(result.atReflection).toBeCloseTo(0.1, 12);
  });

  it('no reflection words: NaN at reflection, all positions still measured', () => {
    const result = reflectionShift([1, 2, 3], ['a', 'b']);
    expect(result.count).toBe(0);
    expect(result.atReflection).toBeNaN();
    expect(result.ratio).toBeNaN();
    expect(result.allPositions).toBeCloseTo((1 + 0.5) / 2, 12);
  });

  it('sparse probes: a step is a reflection step when a word starts inside it', () => {
    const points = [
      { position: 0, value: 4 },
      { position: 10, value: 3 },
      { position: 20, value: 1.5 },
      { position: 30, value: 1.2 },
    ];
    // Reflection at token 12 falls in the step 10 -> 20 (change 0.5); token 30 is past the last step.
    const result = reflectionShiftAt(points, [12, 30]);
    expect(result.count).toBe(1);
    expect(result.atReflection).toBeCloseTo(0.5, 12);
    expect(result.allPositions).toBeCloseTo((0.25 + 0.5 + 0.2) / 3, 12);
    // A reflection at the step's first token (10) also belongs to it.
    expect(reflectionShiftAt(points, [10]).atReflection).toBeCloseTo(0.5, 12);
  });

  it('skips steps starting at 0 or at a failed probe', () => {
    const result = reflectionShiftAt(
      [
        { position: 0, value: 0 },
        { position: 1, value: 2 },
        { position: 2, value: Number.NaN },
        { position: 3, value: 1 },
        { position: 4, value: 0.5 },
      ],
      [0, 3],
    );
    expect(result.allPositions).toBeCloseTo(0.5, 12);
    expect(result.count).toBe(1);
  });

  it('says how many L-hat values it expects', () => {
    expect(() => reflectionShift([1, 2], ['a', 'b'])).toThrow('one value per prefix length 0..2 (3 values), got 2');
  });
});

describe('pooledReflectionShift', () => {
  it('weighs every step of every trace the same, not every trace', () => {
    // Trace A: steps 0.1, 0.5 (reflection at 1), 0.1. Trace B: one step 0.25, a reflection at 0.
    const a = { points: [2, 1.8, 0.9, 0.81].map((value, position) => ({ position, value })), reflectionPositions: [1] };
    const b = { points: [{ position: 0, value: 4 }, { position: 10, value: 3 }], reflectionPositions: [0] };
    const single = { points: [{ position: 0, value: 1 }], reflectionPositions: [0] };
    const pooled = pooledReflectionShift([a, b, single]);
    expect(pooled.traces).toBe(2);
    expect(pooled.steps).toBe(4);
    expect(pooled.count).toBe(2);
    expect(pooled.atReflection).toBeCloseTo((0.5 + 0.25) / 2, 12);
    expect(pooled.allPositions).toBeCloseTo((0.1 + 0.5 + 0.1 + 0.25) / 4, 12);
    expect(pooled.ratio).toBeCloseTo(0.375 / 0.2375, 12);
  });

  it('is NaN with no reflection step or no trace to measure', () => {
    const flat = { points: [{ position: 0, value: 2 }, { position: 5, value: 1 }], reflectionPositions: [] };
    expect(pooledReflectionShift([flat])).toMatchObject({ count: 0, steps: 1, traces: 1, atReflection: Number.NaN, allPositions: 0.5 });
    expect(pooledReflectionShift([])).toMatchObject({ count: 0, steps: 0, traces: 0, atReflection: Number.NaN, allPositions: Number.NaN });
  });
});
