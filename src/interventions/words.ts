import { REFLECTION_WORDS, findReflections } from '../confidence/positions.ts';
import { DEER_TRIAL_SUFFIX, DYNASOR_PROBE_SUFFIX, RAML_SUFFIX } from '../confidence/suffixes.ts';
import type { TextScanner } from '../plan/tree-api.ts';

/** Reflection phrases at which RaML sees L-hat jump and DEER tries an answer: the confidence stage's list. */
export { REFLECTION_WORDS };

/** NoWait's core list (banned for the whole trace). */
export const NOWAIT_WORDS = ['wait', 'alternatively', 'hmm', 'hold on'] as const;

/**
 * The engine's online reflection scan, recognising exactly what src/confidence's `findReflections`
 * does over a finished trace: whole phrases (case-sensitive by default), across token boundaries,
 * after punctuation in the same token; "Let" or "But" alone is no reflection. A hit near the end of
 * the text seen so far waits for more text (it might still grow into a longer phrase that starts
 * earlier, or a longer word), unless the thinking is over.
 */
export function reflectionScanner(words: readonly string[] = REFLECTION_WORDS, caseSensitive = true): TextScanner {
  // Room for the longest phrase plus a doubled letter ("Hmmm") or extra spaces inside it.
  const lookahead = Math.max(...words.map((w) => w.length)) + 8;
  return {
    find(context, texts, from, final) {
      let total = context.length;
      for (const t of texts) total += t.length;
      for (const hit of findReflections([context, ...texts], { words, caseSensitive })) {
        const index = hit.tokenIndex - 1;
        if (index < from) continue;
        return final || hit.charOffset + lookahead < total ? index : undefined;
      }
      return undefined;
    },
  };
}

/** Probe suffixes from the papers (src/confidence/suffixes.ts). */
export const PROBE_SUFFIXES = {
  /** RaML's L-hat suffix (no close delimiter). */
  raml: RAML_SUFFIX,
  /** Dynasor's probe. */
  dynasor: DYNASOR_PROBE_SUFFIX,
  /** DEER's trial answer. */
  deer: DEER_TRIAL_SUFFIX,
} as const;
export type ProbeSuffixName = keyof typeof PROBE_SUFFIXES;

/**
 * The injected text as the trace needs it: a word glued to the word before it ("…123 isWait")
 * reads as one token soup to the model, so a word after a letter, digit or punctuation gets a space.
 * Text that already starts with whitespace, or follows whitespace, is left as it is.
 */
export function withSeparator(before: string, text: string): string {
  if (text === '' || /^\s/u.test(text) || before === '' || /\s$/u.test(before)) return text;
  return /^[\p{L}\p{N}]/u.test(text) ? ` ${text}` : text;
}
