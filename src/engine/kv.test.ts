import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sharedLength } from '../core/prefix.ts';
import { KvSlotModel } from './kv.ts';

const t = (text: string) => ({ text, logprob: 0, top: [] });

describe('KV slot model', () => {
  it('charges the whole prompt first, then only what is new', () => {
    const kv = new KvSlotModel();
    expect(kv.charge('PROMPT', 10, [t('a'), t('b'), t('c')])).toBe(10);
    // Continuing from its own prefix: prompt + generated; the last generated token is evaluated anew.
    expect(kv.charge('PROMPTabc', 13, [t('d')])).toBe(1);
    // A branch at k=1 with a suffix: shares PROMPTa (11 tokens).
    expect(kv.charge('PROMPTabcdSUFFIX', 16, [])).toBe(2);
  });

  it('counts a prefix inside the old prompt proportionally', () => {
    const kv = new KvSlotModel();
    kv.charge('0123456789', 10, []);
    expect(kv.charge('01234xxxxx', 10, [])).toBe(5);
    expect(kv.charge('zzz', 3, [])).toBe(3);
  });
});

/** The slot model as first written, a character at a time: the block-wise one must agree. */
function referenceShared(prompt: string, oldPrompt: string, oldGenerated: readonly { text: string }[]): number {
  const n = Math.min(prompt.length, oldPrompt.length);
  let i = 0;
  while (i < n && prompt.charCodeAt(i) === oldPrompt.charCodeAt(i)) i++;
  if (i < oldPrompt.length) return i;
  let offset = oldPrompt.length;
  for (const tok of oldGenerated) {
    let j = 0;
    while (j < tok.text.length && offset + j < prompt.length && prompt.charCodeAt(offset + j) === tok.text.charCodeAt(j)) j++;
    offset += j;
    if (j < tok.text.length) break;
  }
  return offset;
}

class ReferenceKv {
  private promptText = '';
  private promptTokens = 0;
  private generated: readonly { text: string }[] = [];
  charge(prompt: string, promptTokens: number, generated: readonly { text: string }[]): number {
    const lcp = referenceShared(prompt, this.promptText, this.generated);
    let shared = 0;
    if (lcp > 0 && this.promptText.length > 0) {
      if (lcp < this.promptText.length) shared = Math.min(promptTokens, Math.floor((this.promptTokens * lcp) / this.promptText.length));
      else {
        shared = this.promptTokens;
        let offset = this.promptText.length;
        for (const tok of this.generated) {
          if (offset + tok.text.length > lcp) break;
          offset += tok.text.length;
          shared++;
        }
        shared = Math.min(promptTokens, shared);
      }
    }
    this.promptText = prompt;
    this.promptTokens = promptTokens;
    this.generated = generated;
    return promptTokens === 0 ? 0 : Math.max(1, promptTokens - shared);
  }
}

describe('KV slot model against the character-by-character reference', () => {
  // Long runs of one letter with rare differences: prefixes thousands of characters long that
  // differ inside, at or across the 256-character blocks.
  const text = fc.array(fc.record({ c: fc.constantFrom('a', 'b', 'é'), n: fc.integer({ min: 0, max: 700 }) }), { maxLength: 6 }).map((runs) => runs.map((r) => r.c.repeat(r.n)).join(''));

  it('sharedLength is the common prefix length', () => {
    fc.assert(
      fc.property(text, text, text, fc.nat(), (common, a, b, from) => {
        const x = common + a;
        const y = common + b;
        const start = Math.min(from % (common.length + 1), common.length);
        expect(sharedLength(x, y, start)).toBe(referenceShared(x, y, []));
      }),
    );
  });

  it('charges what the reference charges over random request sequences', () => {
    const step = fc.record({ base: fc.nat(), cut: fc.nat(), add: text, tokens: fc.nat(2000), generated: fc.array(fc.constantFrom('a', 'b', 'ab', 'é', ''), { maxLength: 8 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const fast = new KvSlotModel();
        const reference = new ReferenceKv();
        const seen = ['P'.repeat(300)];
        for (const s of steps) {
          const from = seen[s.base % seen.length] as string;
          const prompt = from.slice(0, from.length - (s.cut % (from.length + 1))) + s.add;
          const generated = s.generated.map(t);
          expect(fast.charge(prompt, s.tokens, generated)).toBe(reference.charge(prompt, s.tokens, generated));
          seen.push(prompt, prompt + s.generated.join(''));
        }
      }),
    );
  });
});
