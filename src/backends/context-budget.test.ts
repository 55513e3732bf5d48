import { describe, expect, it } from 'vitest';
import { PromptTokenEstimator, utf8Bytes } from './context-budget.ts';

describe('PromptTokenEstimator', () => {
  it('counts one token per byte before it has seen anything (a true upper bound)', () => {
    const e = new PromptTokenEstimator();
    expect(e.estimate('abc')).toBe(3);
    expect(e.estimate('é€')).toBe(utf8Bytes('é€'));
    expect(utf8Bytes('é€')).toBe(5);
  });

  it('uses exact counts for a remembered prefix: a branch off a trunk is nearly exact', () => {
    const e = new PromptTokenEstimator();
    const prompt = 'Q'.repeat(4000);
    const trunk = ' step'.repeat(3000);
    e.observe(prompt, 1000, trunk, 3000);
    expect(e.estimate(prompt)).toBe(1000);
    const branch = prompt + trunk + '\nWait';
    const estimate = e.estimate(branch);
    // 4000 exact tokens + a slack + the 5-byte injection, far below the 19005 bytes.
    expect(estimate).toBeGreaterThanOrEqual(4000 + 1);
    expect(estimate).toBeLessThan(4100);
  });

  it('after a completion, counts unknown text with a margin over the densest ratio seen', () => {
    const e = new PromptTokenEstimator(1.5);
    e.observe('x'.repeat(1000), 250, '', 0); // 0.25 tokens per byte
    expect(e.estimate('y'.repeat(1000))).toBe(375);
    e.observe('z'.repeat(100), 90, '', 0); // denser: 0.9 -> capped at 1
    expect(e.estimate('y'.repeat(1000))).toBe(1000);
  });
});
