import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { DEFAULT_REPLY_LIMITS, deadlineMs, replyLimitsFromEnv, tokenLimit } from './limits.ts';

describe('reply limits', () => {
  it('reads overrides from the environment and keeps defaults for the rest', () => {
    expect(replyLimitsFromEnv({})).toEqual(DEFAULT_REPLY_LIMITS);
    expect(replyLimitsFromEnv({ THINKPROBE_MAX_LINE_BYTES: '4096', THINKPROBE_MIN_TOKENS_PER_S: '0.5', THINKPROBE_IDLE_TIMEOUT_MS: ' ' })).toEqual({
      ...DEFAULT_REPLY_LIMITS,
      maxLineBytes: 4096,
      minTokensPerSecond: 0.5,
    });
  });

  it('refuses a malformed override with one line naming the variable', () => {
    for (const bad of ['0', '-5', 'fast', 'Infinity']) {
      expect(() => replyLimitsFromEnv({ THINKPROBE_DEADLINE_GRACE_MS: bad })).toThrow(InputError);
    }
    expect(() => replyLimitsFromEnv({ THINKPROBE_MAX_LINE_BYTES: 'lots' })).toThrow('THINKPROBE_MAX_LINE_BYTES="lots": expected a positive number');
  });

  it('allows a small margin over num_predict and a deadline that grows with it', () => {
    expect(tokenLimit(1)).toBe(9);
    expect(tokenLimit(4000)).toBe(4040);
    const limits = { ...DEFAULT_REPLY_LIMITS, deadlineGraceMs: 1000, minTokensPerSecond: 10 };
    expect(deadlineMs(limits, 100)).toBe(11_000);
    expect(deadlineMs(limits, 200)).toBeGreaterThan(deadlineMs(limits, 100));
  });
});
