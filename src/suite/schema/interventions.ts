import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { Default, Fraction, PositiveInt, tagged, type Resolved } from './helpers.ts';

/**
 * Intervention values as a suite writes them (issue 3, item 4). These are the parameters and their
 * defaults; what each one does lives in src/interventions (one file per type).
 */

/** RaML's forced early end for QwQ, written right after the thinking opens. */
export const RAML_STOP_PHRASE = 'Therefore, after all this, I believe the answer is';
/** NoThinking (Ma et al. 2025). */
export const NO_THINKING_PREFILL = 'Okay, I think I have finished thinking.';
/** s1's cap: close the thinking and append this. */
export const S1_BUDGET_CLOSE = 'Final Answer:';
/** NoWait's banned reflection words (matched case-insensitively by the engine). */
export const NOWAIT_WORDS = [
  'wait', 'alternatively', 'hmm', 'but', 'however', 'alternative', 'another', 'check',
  'double-check', 'oh', 'maybe', 'verify', 'other', 'again', 'now', 'ah', 'any',
];
export const DEER_TRIAL = '\n**Final Answer**\n\\boxed';
export const DYNASOR_PROBE = '... Oh, I suddenly got the answer to the whole problem, **Final Answer**\n\n\\[ \\boxed{';

/** Every intervention may carry a label, its name in results and checks (default: derived, see labels.ts). */
function variant<const N extends string, T extends TProperties>(type: N, properties: T) {
  return Type.Object(
    {
      type: Type.Literal(type),
      label: Type.Optional(
        Type.String({ minLength: 1, pattern: '^[^\\s/]+$', expected: 'a label without spaces or slashes' }),
      ),
      ...properties,
    },
    { additionalProperties: false },
  );
}

const Text = (def: string) => Default(Type.String({ minLength: 1 }), def);

export const Baseline = variant('baseline', {});
export const NoThinking = variant('noThinking', { prefill: Text(NO_THINKING_PREFILL) });
export const StopPhrase = variant('stopPhrase', { phrase: Text(RAML_STOP_PHRASE) });
export const StopInstruction = variant('stopInstruction', { text: Text('/no_think') });
export const Budget = variant('budget', {
  tokens: PositiveInt({ expected: 'a whole number of thinking tokens >= 1' }),
  close: Text(S1_BUDGET_CLOSE),
  answerTokens: Type.Optional(PositiveInt()),
});
export const Extend = variant('extend', {
  times: Default(PositiveInt(), 1),
  word: Text('Wait'),
  /** Optional cap on the whole thinking, extensions included. */
  maxTokens: Type.Optional(PositiveInt()),
});
export const InjectReflection = Type.Object(
  {
    ...variant('injectReflection', {
      word: Text('Wait'),
      atToken: Type.Optional(Type.Integer({ minimum: 0 })),
      atFraction: Type.Optional(Fraction()),
      atParagraphs: Type.Optional(Type.Literal(true)),
    }).properties,
  },
  {
    additionalProperties: false,
    oneOf: [{ required: ['atToken'] }, { required: ['atFraction'] }, { required: ['atParagraphs'] }],
    expected: 'exactly one of atToken, atFraction, atParagraphs: true',
  },
);
export const SuppressReflection = variant('suppressReflection', {
  words: Default(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }), NOWAIT_WORDS),
});
export const SoftBudget = variant('softBudget', {
  tokens: PositiveInt(),
  /** `{tokens}` is replaced by the budget. */
  instruction: Text('Think for maximum {tokens} tokens.'),
});
export const EarlyExit = variant('earlyExit', {
  method: Type.Union([Type.Literal('deer'), Type.Literal('dynasor')], { expected: 'deer or dynasor' }),
  /** DEER: exit when the trial answer's mean token probability exceeds this. */
  threshold: Default(Type.Number({ exclusiveMinimum: 0, maximum: 1 }), 0.95),
  trial: Text(DEER_TRIAL),
  /** Dynasor: probe every `every` thinking tokens; exit when the last `window` answers agree. */
  every: Default(PositiveInt(), 256),
  window: Default(Type.Integer({ minimum: 2 }), 3),
  probe: Text(DYNASOR_PROBE),
});
export const Probes = Type.Object(
  {
    ...variant('probes', {
      every: Type.Optional(PositiveInt()),
      fractions: Type.Optional(Type.Array(Fraction(), { minItems: 1 })),
      /** What each probe measures: teacher-forced L-hat of the reference, the model's own answer, or both. */
      measure: Default(
        Type.Union([Type.Literal('lhat'), Type.Literal('answer'), Type.Literal('both')], { expected: 'lhat, answer or both' }),
        'both',
      ),
    }).properties,
  },
  { additionalProperties: false, anyOf: [{ required: ['every'] }, { required: ['fractions'] }], expected: 'every or fractions' },
);

export const interventionVariants = {
  baseline: Baseline,
  noThinking: NoThinking,
  stopPhrase: StopPhrase,
  stopInstruction: StopInstruction,
  budget: Budget,
  extend: Extend,
  injectReflection: InjectReflection,
  suppressReflection: SuppressReflection,
  softBudget: SoftBudget,
  earlyExit: EarlyExit,
  probes: Probes,
};

export const InterventionSchema = tagged('type', interventionVariants, { expected: 'an intervention' });

/** An intervention as a suite may write it (defaulted fields optional). */
export type InterventionInput = Static<typeof InterventionSchema>;
/** An intervention after validation (defaults filled in). */
export type Intervention = Resolved<typeof InterventionSchema>;
export type InterventionType = Intervention['type'];
export const interventionTypes = Object.keys(interventionVariants) as InterventionType[];
