import { describe, expect, it } from 'vitest';
import type { EstimateVsActual } from '../reports/run-data.ts';
import { offByMoreThan2x } from './estimate-pass.ts';

const figures = (requests: number, promptTokens: number | null, generatedTokens: number, wallMs: number | null) => ({ requests, promptTokens, generatedTokens, wallMs });

describe('estimate against actual: the terminal line', () => {
  it('names each figure off by more than 2x either way, and only those', () => {
    const compared: EstimateVsActual = { kind: 'measured', basis: 'x', estimate: figures(100, 1000, 900, 60_000), actual: figures(201, 499, 1000, 20_000) };
    expect(offByMoreThan2x(compared)).toEqual(['requests 100 estimated, 201 actual', 'prompt tokens 1000 estimated, 499 actual', 'wall time (ms) 60000 estimated, 20000 actual']);
  });

  it('says nothing at exactly 2x, for unknown figures, for short wall times, or for a plan-alone bound', () => {
    expect(offByMoreThan2x({ kind: 'measured', basis: 'x', estimate: figures(100, null, 500, 3000), actual: figures(200, 10, 1000, 9000) })).toEqual([]);
    expect(offByMoreThan2x({ kind: 'upper-bound', basis: 'x', estimate: figures(1, null, 100_000, null), actual: figures(50, 10, 1000, 9000) })).toEqual([]);
  });
});
