import { describe, expect, it } from 'vitest';
import { checkFailureMessage } from './vitest.ts';

describe('the failure message of a check in vitest', () => {
  it('names the check and its verdict, and carries the evidence and the counterexample', () => {
    const message = checkFailureMessage({
      name: 'accuracyAtLeast(budget(256) >= 0.9)',
      verdict: 'fail',
      summary: 'budget(256): accuracy 0.500 < 0.9',
      evidence: { intervention: 'budget(256)', correct: 6, n: 12 },
      counterexample: { tokens: 64 },
    });
    expect(message.split('\n')[0]).toBe('accuracyAtLeast(budget(256) >= 0.9): fail: budget(256): accuracy 0.500 < 0.9');
    expect(message).toContain('"correct": 6');
    expect(message).toContain('counterexample: {\n  "tokens": 64\n}');
  });

  it('never passes terminal control characters through from model output', () => {
    const message = checkFailureMessage({ name: 'p', verdict: 'error', summary: 'answer \u001b]0;owned\u0007', evidence: { answer: '\u001b[2J' } });
    expect(message).not.toMatch(/[\u001b\u0007]/);
    expect(message).toContain('p: error: answer');
  });
});
