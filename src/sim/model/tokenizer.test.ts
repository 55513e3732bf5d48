import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, existsSync } from 'node:fs';
import { SPECIAL_TOKENS, tokenize } from './tokenizer.ts';
import { FILLERS, SYNONYMS } from './phrases.ts';

const pieces = fc.constantFrom(...SPECIAL_TOKENS, ' ', '\n', '\n\n', 'Wait', ' the', '12345', '\\boxed{', '}', '𝒜', 'é', '  ', '\t');
/** Arbitrary strings, unicode included, mixed with the pieces that matter most (specials, digits, whitespace). */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.array(fc.oneof(pieces, fc.string({ unit: 'grapheme-ascii', maxLength: 8 })), { maxLength: 25 }).map((p) => p.join('')),
);

describe('tokenize', () => {
  it('round-trips any text', () => {
    fc.assert(fc.property(text, (s) => tokenize(s).join('') === s), { numRuns: 400 });
  });

  it('is prefix stable: every prefix of the tokens tokenizes back to itself', () => {
    fc.assert(
      fc.property(text, (s) => {
        const tokens = tokenize(s);
        for (let k = 0; k <= tokens.length; k++) {
          expect(tokenize(tokens.slice(0, k).join(''))).toEqual(tokens.slice(0, k));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is suffix stable at token boundaries (a continuation tokenizes alone as it did in context)', () => {
    fc.assert(
      fc.property(text, (s) => {
        const tokens = tokenize(s);
        for (let k = 0; k <= tokens.length; k++) expect(tokenize(tokens.slice(k).join(''))).toEqual(tokens.slice(k));
      }),
      { numRuns: 300 },
    );
  });

  it('never produces an empty token and never splits a surrogate pair', () => {
    fc.assert(
      fc.property(text, (s) => {
        let at = 0;
        for (const t of tokenize(s)) {
          expect(t.length).toBeGreaterThan(0);
          const before = s.charCodeAt(at - 1);
          const after = s.charCodeAt(at);
          expect(at > 0 && before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff).toBe(false);
          at += t.length;
        }
      }),
      { numRuns: 200 },
    );
    expect(tokenize('𝒜𝒜𝒜𝒜𝒜𝒜𝒜')).toEqual(['𝒜𝒜𝒜𝒜𝒜', '𝒜𝒜']);
  });

  it('keeps special tokens whole', () => {
    for (const special of SPECIAL_TOKENS) expect(tokenize(`a${special}b`)).toEqual(['a', special, 'b']);
    expect(tokenize('<|im_start|>assistant\n<think>\nOkay')).toEqual(['<|im_start|>', 'assis', 'tant', '\n', '<think>', '\n', 'Okay']);
  });

  it('is deterministic and splits digit runs in groups of three', () => {
    expect(tokenize(' 1234567')).toEqual([' 123', '456', '7']);
    expect(tokenize('17 * 3 = 51.')).toEqual(['17', ' *', ' 3', ' =', ' 51', '.']);
  });

  it('writes filler words and synonyms as single tokens (so a sampled filler never changes the tokenization)', () => {
    for (const f of FILLERS) expect(tokenize(f)).toEqual([f]);
    for (const [word, options] of Object.entries(SYNONYMS)) {
      for (const w of [word, ...options]) expect(tokenize(w)).toEqual([w]);
      for (const w of options) expect(FILLERS).not.toContain(w);
    }
  });

  it('averages 3 to 5 characters per token on English', () => {
    const file = new URL('../../../../shared/datasets/gsm8k.jsonl', import.meta.url);
    const english = existsSync(file)
      ? readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, 200).map((l) => (JSON.parse(l) as { question: string }).question).join('\n')
      : 'Janet has sixteen ducks that lay eggs every day. She eats three for breakfast and bakes muffins with four more. How much does she make at the market when she sells the remainder?';
    const ratio = english.length / tokenize(english).length;
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(5);
  });
});

describe('tokenize, whitespace runs before a mark', () => {
  it('never leaves a lone space piece that a suffix would merge with the next mark', () => {
    // Found by the suffix-stability property: "\n\n\n\n  !" used to split as "\n\n\n\n ", " ", "!".
    for (const s of ['\n\n\n\n  !', `${' '.repeat(11)}!`, `${'\n'.repeat(10)}  x`]) {
      const tokens = tokenize(s);
      for (let k = 0; k <= tokens.length; k++) {
        expect(tokenize(tokens.slice(k).join(''))).toEqual(tokens.slice(k));
        expect(tokenize(tokens.slice(0, k).join(''))).toEqual(tokens.slice(0, k));
      }
    }
    expect(tokenize('\n\n\n\n  !')).toEqual(['\n\n\n\n', '  ', '!']);
  });
});
