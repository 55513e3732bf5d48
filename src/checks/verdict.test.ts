import { describe, expect, it } from 'vitest';
import { errorRateCheck, runVerdict } from './verdict.ts';

const rows = (ok: number, errored: number) => [...Array.from({ length: ok }, () => ({})), ...Array.from({ length: errored }, () => ({ error: 'problem p: refused' }))];

describe('errorRateCheck', () => {
  it('is absent when nothing errored', () => {
    expect(errorRateCheck(rows(5, 0), 0)).toBeUndefined();
  });
  it('fails any errored result by default, and passes within a stated rate', () => {
    expect(errorRateCheck(rows(1, 1), 0)?.verdict).toBe('fail');
    expect(errorRateCheck(rows(1, 1), 0)?.summary).toBe('1 of 2 results errored (50.0%); the suite allows none (maxErrorRate 0)');
    expect(errorRateCheck(rows(19, 1), 0.05)?.verdict).toBe('pass');
    expect(errorRateCheck(rows(18, 2), 0.05)?.verdict).toBe('fail');
  });
});

describe('runVerdict', () => {
  it('passes only when something was evaluated and nothing failed', () => {
    expect(runVerdict([{ verdict: 'pass' }, { verdict: 'skipped' }])).toEqual({ passed: true, headline: 'All 1 evaluated checks hold (1 skipped).' });
    expect(runVerdict([{ verdict: 'skipped' }, { verdict: 'skipped' }])).toEqual({ passed: false, headline: 'No check could be evaluated (all 2 skipped).' });
    expect(runVerdict([{ verdict: 'pass' }, { verdict: 'error' }]).passed).toBe(false);
    expect(runVerdict([]).passed).toBe(true);
  });
  it('lets a run that writes the golden skip its comparison', () => {
    expect(runVerdict([{ verdict: 'skipped' }], { goldenWrite: true }).passed).toBe(true);
  });
});
