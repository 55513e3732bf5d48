/**
 * Text the simulator writes. Neutral sentences carry no reflection words ("Wait", "Hmm",
 * "Alternatively", "double-check"), so every reflection word in a trace is a real reflection with
 * a belief change behind it.
 */

export const ELABORATIONS: readonly string[] = [
  'Let me make sure I have read this part correctly.',
  'That seems reasonable so far.',
  'I should be careful with the arithmetic here.',
  'Let me keep track of the intermediate results.',
  'This is a simple computation, but it is easy to slip.',
  'So far everything seems consistent.',
  'Let me write down what I have so far.',
  'I want to be careful not to mix up the numbers.',
  'Okay, moving on.',
  'Let me think about whether this makes sense.',
  'I need to keep the order of the operations in mind.',
  'Each step depends on the one before it, so accuracy matters.',
  'Let me restate where I am in the problem.',
  'This part is a bit tedious, but it is manageable.',
  'Good, that is one more piece of the puzzle.',
  'I will keep this value for the next step.',
  'It helps to go slowly here.',
  'Let me think about what the question is really asking.',
  'So the structure of the problem is becoming clearer.',
  'I should not skip any part of the setup.',
  'Nothing unusual so far.',
  'The signs look right to me.',
  'I am fairly confident about this part.',
  'It is worth writing each intermediate result down.',
  'Let me not rush this.',
  'That fits with what the problem describes.',
  'The size of this number looks plausible.',
  'There is no trick here as far as I can see.',
  'I will carry this forward.',
  'Let me picture the situation to be sure.',
  'Breaking it into small pieces keeps it manageable.',
  'That was the easy part.',
  'I think the approach is sound.',
  'Okay, so that piece is settled.',
  'Right, that is consistent with the setup.',
  'I am keeping the units straight in my head.',
  'Let me go on to the next piece.',
  'A quick sanity check on the size of the number seems fine.',
  'This matches my rough estimate.',
  'I do not see anything off here.',
];

/** Connectors that open an ordinary next step. Single tokens, so a reflection competes with them at one position. */
export const CONNECTORS: readonly string[] = ['Next', 'Then', 'Now'];


export const RECHECK_AFTER: Record<string, string> = {
  Wait: ', let me double-check that.',
  Hmm: ', let me make sure that is right.',
  Alternatively: ', let me redo this step another way.',
};

export const CONFIRMATIONS: readonly string[] = [" Yes, that's right.", ' Okay, that checks out.', ' Good, that matches.'];

export const PSEUDO_ACTIONS: readonly string[] = [
  'write down the quantities the problem gives me',
  'set up the main relation between them',
  'simplify that relation',
  'work out the key intermediate quantity',
  'check the constraints on the values',
  'combine the partial results',
  'look at the special cases',
  'carry the computation through to the end',
  'express the result in the form the problem asks for',
];

/** The RaML stop phrase (QwQ prefill) and the NoThinking prefill, recognised when injected. */
export const RAML_STOP_PHRASE = 'Therefore, after all this, I believe the answer is';
export const NO_THINKING_PREFILL = 'Okay, I think I have finished thinking.';

/** Filler words that may be inserted before a word of free text (sampled alternatives). */
export const FILLERS: readonly string[] = [' just', ' now'];

/** Reflection words and phrases, matched at the end of injected text. */
export const REFLECTION_AT_END =
  /(?:\bwait|\bhmm+|\balternatively|\bhold on|\blet me (?:double-check|double check|check|verify|re-?check|reconsider|re-?examine)(?: that| this| again)?|\bbut wait|\bactually)[,.!:;…]*\s*$/i;

/**
 * Near-synonyms the model may write instead of a planned whole word (sampled alternatives in free
 * text). All single tokens; none is a filler, so a read token has one meaning.
 */
export const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  ' the': [' this'],
  ' that': [' this'],
  ' is': [' was'],
  ' keep': [' hold'],
  ' make': [' be'],
  ' need': [' have'],
  ' look': [' see'],
  ' part': [' bit'],
  ' So': [' Thus'],
  ' step': [' part'],
  ' one': [' a'],
};

/** How each reflection opener goes on before the re-computation (no reflection words inside). */
export const RECHECK_AFTER_MORE: Record<string, string> = {
  'Let me check': ' this step once more.',
  But: ' I should make sure this step is right.',
};

/**
 * Sentences of a re-check: a reasoning model's reflection restates and re-derives before it
 * re-computes. Neutral (no reflection words), like ELABORATIONS.
 */
export const RECHECK_NOTES: readonly string[] = [
  'Going back over how I set this part up.',
  'The quantities here were defined a moment ago, so I retrace them.',
  'I may have mixed up two of the numbers in this part.',
  'Redoing the computation slowly from the values I had.',
  'The earlier relation still applies here.',
  'So I recompute it from the start of this part.',
  'Taking the numbers one at a time this time.',
  'If this part were off, everything after it would be off too.',
  'I retrace the setup of this piece carefully.',
  'Rewriting the expression before evaluating it again.',
  'This is where an arithmetic slip would most likely hide.',
  'Keeping the signs and the order of operations straight.',
];

/** Sentences of the worked solution written after the thinking (the answer section). */
export const SUMMARY_NOTES: readonly string[] = [
  'This follows directly from the setup of the problem.',
  'Substituting the earlier result gives this value.',
  'Each quantity here is taken from the previous step.',
  'The computation is straightforward once the relation is written down.',
  'This uses only the values established above.',
  'The result is consistent with the conditions in the problem.',
  'Simplifying the expression gives the value shown.',
  'This is the key intermediate quantity.',
];

/** Openers of the worked solution after the thinking. */
export const SUMMARY_OPEN = "To solve this problem, I'll work through it step by step.\n\n";

/**
 * Elaboration sentences that open with a reflection-like word but change nothing (cards with
 * `length.hedges`): real traces are full of such "But ..." and "Let me check ..." that carry no
 * restart. None uses a word NoWait bans (wait, hmm, alternatively, hold on).
 */
export const HEDGES: readonly string[] = [
  'But I should keep the conditions of the problem in mind.',
  'Let me check the size of this: it is in the range I expect.',
  'But that part was already settled above.',
  'Let me check that this agrees with the setup. It does.',
  'But the order of the steps matters here, so I keep it.',
  'Let me check the units: they are consistent.',
  'But nothing in the problem rules this out.',
  'Let me check the previous line once. It holds.',
];
