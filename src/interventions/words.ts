import type { CompletionToken } from '../backends/backend.ts';

/** Reflection words at which RaML sees L-hat jump and DEER tries an answer. */
export const REFLECTION_WORDS = ['Wait', 'Alternatively', 'Hold on', 'Hmm'] as const;

/** NoWait's core list (banned for the whole trace). */
export const NOWAIT_WORDS = ['wait', 'alternatively', 'hmm', 'hold on'] as const;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A token matcher: the token starts one of the words (first word of a phrase), at a word boundary. */
export function wordMatcher(words: readonly string[], caseInsensitive = false): (token: CompletionToken, before: string) => boolean {
  const firsts = [...new Set(words.map((w) => w.split(/\s+/)[0] ?? w))].filter((w) => w !== '');
  const re = new RegExp(`^\\s*[*_"'(]*(?:${firsts.map(escape).join('|')})(?![A-Za-z])`, caseInsensitive ? 'i' : '');
  return (token, before) => re.test(token.text) && (before === '' || /[\s*_"'(]$/.test(before) || /^\s/.test(token.text));
}

/** Probe suffixes from the papers. */
export const PROBE_SUFFIXES = {
  /** RaML's L-hat suffix (no close delimiter). */
  raml: '\n\n**Final Answer**\n\\boxed{',
  /** Dynasor's probe. */
  dynasor: '... Oh, I suddenly got the answer to the whole problem, **Final Answer**\n\n\\[ \\boxed{',
  /** DEER's trial answer. */
  deer: '\n**Final Answer**\n\\boxed',
} as const;
export type ProbeSuffixName = keyof typeof PROBE_SUFFIXES;
