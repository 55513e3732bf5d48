import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atReflections } from '../confidence/positions.ts';
import { DEER_TRIAL_SUFFIX, DYNASOR_PROBE_SUFFIX, RAML_SUFFIX } from '../confidence/suffixes.ts';
import { QWEN3_BUDGET_CLOSE } from '../templates/qwen3.ts';
import { BUDGET_CLOSES } from './budget.ts';
import { PROBE_SUFFIXES, reflectionScanner, withSeparator } from './words.ts';

/** Hits as the engine finds them: a scan from a token index, the run's text growing `chunk` tokens at a time, as Run.findMatch slices it. */
function scanAll(tokens: readonly string[], chunk: number): number[] {
  const scanner = reflectionScanner();
  const hits: number[] = [];
  let from = 0;
  for (let have = Math.min(chunk, tokens.length); ; have = Math.min(tokens.length, have + chunk)) {
    const final = have === tokens.length;
    for (;;) {
      if (from >= have) break;
      const start = Math.max(0, from - 16);
      const context = start === 0 ? '' : tokens[start - 1]!;
      const i = scanner.find(context, tokens.slice(start, have), from - start, final);
      if (i === undefined) break;
      hits.push(start + i);
      from = start + i + 1;
    }
    if (final) return hits;
  }
}

describe('reflectionScanner: the confidence stage\'s reflection phrases, found online', () => {
  it('finds phrases split across tokens, and words after punctuation in the same token', () => {
    expect(scanAll(['So', ' x', '.', ' Hold', ' on', ',', ' no'], 2)).toEqual([3]);
    expect(scanAll(['ok', '.', ' Let', ' me', ' double', '-check', ' it'], 3)).toEqual([2]);
    expect(scanAll(['So', ' 7', '.\n\nWait', ',', ' no'], 1)).toEqual([2]);
    expect(scanAll(['x', ' **', 'Wa', 'it', '**', ' y'], 1)).toEqual([2]);
    expect(scanAll(['fine', '.', ' But', ' wait', ',', ' 5'], 1)).toEqual([2]);
    expect(scanAll(['Hmmm', ',', ' so'], 1)).toEqual([0]);
  });
  it('does not trigger on "Let" or "But" alone, inside longer words, or in another case', () => {
    expect(scanAll([' Let', ' me', ' add', ' 3', '.', ' But', ' it', ' is', ' 7'], 2)).toEqual([]);
    expect(scanAll([' Waiting', ' for', ' the', ' bus', ' wait', ' awaits', ' Hmmx'], 2)).toEqual([]);
  });
  it('waits for more text before deciding on a hit at the end, unless the thinking is over', () => {
    const scanner = reflectionScanner();
    expect(scanner.find('', ['So', ' Wait'], 0, false)).toBeUndefined();
    expect(scanner.find('', ['So', ' Wait'], 0, true)).toBe(1);
    expect(scanner.find('', ['So', ' Wait', ',', ' the', ' sum', ' is', ' not', ' 7', ' but', ' 8', '.'], 0, false)).toBe(1);
  });
  it('finds what findReflections finds over the whole trace, whatever the chunk size', () => {
    const vocab = [' Let', ' me', ' check', ' verify', ' double', '-check', ' But', ' wait', ' Wait', 'Wa', 'it', ',', '.', '\n\n', ' Hold', ' on', ' Hmm', 'm', ' Alternatively', ' On', ' second', ' thought', ' x', ' 7', 'ing', ' the'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocab), { maxLength: 60 }), fc.integer({ min: 1, max: 9 }), (tokens, chunk) => {
        expect(scanAll(tokens, chunk)).toEqual(atReflections(tokens));
      }),
      { numRuns: 300 },
    );
  });
});

describe('one definition of shared strings', () => {
  it('probe suffixes are the confidence stage\'s; Qwen3\'s budget close is the template\'s', () => {
    expect(PROBE_SUFFIXES).toEqual({ raml: RAML_SUFFIX, dynasor: DYNASOR_PROBE_SUFFIX, deer: DEER_TRIAL_SUFFIX });
    expect(BUDGET_CLOSES['qwen3']!.replace('{close}', '</think>')).toBe(QWEN3_BUDGET_CLOSE);
  });
});

describe('withSeparator', () => {
  it('puts a space between a word and the word injected after it, and nothing where the text has one', () => {
    expect(withSeparator('so 123 is', 'Wait')).toBe(' Wait');
    expect(withSeparator('so 123 is.', 'Wait')).toBe(' Wait');
    expect(withSeparator('so 123 is\n\n', 'Wait')).toBe('Wait');
    expect(withSeparator('so 123 is ', 'Wait')).toBe('Wait');
    expect(withSeparator('so 123 is', ' Wait')).toBe(' Wait');
    expect(withSeparator('so 123 is', '\nWait')).toBe('\nWait');
    expect(withSeparator('', 'Wait')).toBe('Wait');
    expect(withSeparator('x', ', wait')).toBe(', wait');
  });
});
