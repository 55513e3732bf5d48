import { describe, expect, it } from 'vitest';
import { bannedWordAt } from './suppressReflection.ts';
import { NOWAIT_WORDS } from './words.ts';

const words = [...NOWAIT_WORDS];
const at = (before: string, text: string, complete = false) => bannedWordAt(words, before, text, complete);

describe('NoWait bans whole words only', () => {
  it('bans a banned word at a word boundary, whatever its case', () => {
    expect(at('So 7.', ' Wait,')).toBe(true);
    expect(at('So 7.\n\n', 'wait ')).toBe(true);
    expect(at('is ', '**Hmm**')).toBe(true);
    expect(at('x. ', 'Hold on')).toBe(undefined); // "on" might go on ("onto")
    expect(at('x. ', 'Hold on,')).toBe(true);
    expect(at('x. ', 'Hold\non.')).toBe(true);
    expect(at('x.', ' Wait', true)).toBe(true);
  });
  it('leaves words that merely contain one alone (await, waiting, threshold on, Hmmx)', () => {
    expect(at('we a', 'wait')).toBe(false);
    expect(at('the threshold', ' on')).toBe(false);
    expect(at('I am ', 'waiting')).toBe(false);
    expect(at('I am ', 'waiting', true)).toBe(false);
    expect(at('x ', 'hold onto')).toBe(false);
    expect(at('x ', 'Alternatively-ish')).toBe(true); // a hyphen ends the word
    expect(at('x ', 'Hmmx')).toBe(false);
    expect(at('x ', 'Water')).toBe(false);
  });
  it('asks for more text when the token only begins a banned word', () => {
    expect(at('x. ', 'Wa')).toBe(undefined);
    expect(at('x. ', 'Wait')).toBe(undefined);
    expect(at('x. ', 'Wa', true)).toBe(false);
    expect(at('x. ', 'Wait', true)).toBe(true);
  });
});
