import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
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

/** The estimator as first written: every remembered text tried, longest first. The fast one must agree. */
class ReferenceEstimator {
  private readonly known: { text: string; tokens: number; slack: number }[] = [];
  private ratio = 1;
  private seen = false;
  observe(prompt: string, promptTokens: number, generated: string, generatedTokens: number): void {
    if (!(promptTokens > 0)) return;
    const bytes = utf8Bytes(prompt);
    if (bytes > 0) {
      const observed = Math.min(1, (promptTokens / bytes) * 1.5);
      this.ratio = this.seen ? Math.max(this.ratio, observed) : observed;
      this.seen = true;
    }
    this.remember(prompt, promptTokens, 0);
    if (generated !== '') this.remember(prompt + generated, promptTokens + generatedTokens, 4 + Math.ceil(generatedTokens * 0.01));
  }
  estimate(prompt: string): number {
    const best = [...this.known].sort((a, b) => b.text.length - a.text.length).find((e) => prompt.startsWith(e.text));
    const restTokens = Math.ceil(utf8Bytes(best ? prompt.slice(best.text.length) : prompt) * this.ratio);
    return best ? best.tokens + best.slack + restTokens : restTokens;
  }
  exact(prompt: string): number | undefined {
    return this.known.find((e) => e.slack === 0 && e.text === prompt)?.tokens;
  }
  private remember(text: string, tokens: number, slack: number): void {
    const at = this.known.findIndex((e) => e.text === text);
    if (at >= 0) this.known.splice(at, 1);
    this.known.push({ text, tokens, slack });
    if (this.known.length > 256) this.known.shift();
  }
}

describe('PromptTokenEstimator against the reference (try every remembered text)', () => {
  it('gives the same estimates and exact counts over random trace trees, evictions included', () => {
    // Prompts from a tiny alphabet share long prefixes, as a trunk and its branches do.
    const piece = fc.stringMatching(/^[ab\u00e9]{0,6}$/);
    const step = fc.record({ base: fc.nat(400), add: piece, tokens: fc.integer({ min: 0, max: 40 }), generated: piece, generatedTokens: fc.nat(9), observe: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 350 }), (steps) => {
        const fast = new PromptTokenEstimator();
        const reference = new ReferenceEstimator();
        const prompts: string[] = ['Q'];
        for (const s of steps) {
          const prompt = prompts[s.base % prompts.length]! + s.add;
          prompts.push(prompt, prompt + s.generated);
          expect(fast.estimate(prompt)).toBe(reference.estimate(prompt));
          expect(fast.exact(prompt)).toBe(reference.exact(prompt));
          if (s.observe) {
            fast.observe(prompt, s.tokens, s.generated, s.generatedTokens);
            reference.observe(prompt, s.tokens, s.generated, s.generatedTokens);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('PromptTokenEstimator hints (recently remembered prefixes)', () => {
  it('agrees with the reference when prompts extend recent texts by a character or two', () => {
    // Every prompt extends one of the last few texts: the hint is found, and remembered texts just
    // longer than it are prefixes too, so skipping one would pick a shorter prefix.
    const piece = fc.stringMatching(/^[ab]{0,2}$/);
    const step = fc.record({ back: fc.nat(5), add: piece, generated: piece, tokens: fc.integer({ min: 1, max: 40 }), observe: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        const fast = new PromptTokenEstimator();
        const reference = new ReferenceEstimator();
        const texts: string[] = ['Q'];
        for (const s of steps) {
          const prompt = texts[Math.max(0, texts.length - 1 - s.back)]! + s.add;
          expect(fast.estimate(prompt)).toBe(reference.estimate(prompt));
          if (s.observe) {
            fast.observe(prompt, s.tokens, s.generated, s.generated.length);
            reference.observe(prompt, s.tokens, s.generated, s.generated.length);
          }
          texts.push(prompt, prompt + s.generated);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('PromptTokenEstimator over long runs', () => {
  it('agrees with the reference across thousands of texts, re-seen ones included (eviction and compaction)', () => {
    const step = fc.record({ back: fc.nat(300), add: fc.stringMatching(/^[ab]{0,2}$/), tokens: fc.integer({ min: 1, max: 40 }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1500, maxLength: 1600 }), (steps) => {
        const fast = new PromptTokenEstimator();
        const reference = new ReferenceEstimator();
        const texts: string[] = ['Q'];
        for (const s of steps) {
          const prompt = texts[Math.max(0, texts.length - 1 - s.back)]! + s.add;
          expect(fast.estimate(prompt)).toBe(reference.estimate(prompt));
          expect(fast.exact(prompt)).toBe(reference.exact(prompt));
          fast.observe(prompt, s.tokens, 'g', 1);
          reference.observe(prompt, s.tokens, 'g', 1);
          texts.push(prompt);
        }
      }),
      { numRuns: 5 },
    );
  });
});

describe('PromptTokenEstimator memory', () => {
  it('remembers the last 256 texts: the oldest is forgotten first, a re-seen text counts as new', () => {
    const e = new PromptTokenEstimator();
    e.observe('p0', 7, '', 0);
    for (let i = 1; i < 300; i++) e.observe(`p${i}|`, i, '', 0);
    e.observe('p0', 7, '', 0); // seen again: now the newest
    expect(e.exact('p0')).toBe(7);
    expect(e.exact('p44|')).toBeUndefined();
    expect(e.exact('p45|')).toBe(45);
    expect(e.exact('p299|')).toBe(299);
  });
});
