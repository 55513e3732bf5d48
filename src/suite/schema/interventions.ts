import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { Fraction, PositiveInt, tagged, type Resolved } from '../../core/typebox.ts';

/**
 * Intervention values as a suite writes them (issue 3, item 4). The parameter names and ranges
 * mirror the registry in src/interventions (interventionFromSpec), which owns what each one does
 * and its defaults (s1's close, RaML's stop phrase, NoWait's words, DEER's 0.95, ...), so the
 * schema fills in no defaults here. The schema gives line numbers and one line per problem; rules
 * between parameters (DEER's vs Dynasor's) are checked by the registry itself after the schema
 * (see suite.ts), so there is one definition of each.
 */

/** Every intervention may carry a label: its name in results and checks (default: the registry's describe()). */
function variant<const N extends string, T extends TProperties>(type: N, properties: T) {
  return Type.Object(
    {
      type: Type.Literal(type),
      label: Type.Optional(Type.String({ minLength: 1, pattern: '^[^\\n\\r\\t]+$', expected: 'a one-line label' })),
      ...properties,
    },
    { additionalProperties: false },
  );
}

const Text = () => Type.Optional(Type.String({ minLength: 1 }));
const Words = () => Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, expected: 'a non-empty array of words' }));

export const Baseline = variant('baseline', {});
export const NoThinking = variant('noThinking', { prefill: Type.Optional(Type.String()) });
export const StopPhrase = variant('stopPhrase', { phrase: Text() });
export const StopInstruction = variant('stopInstruction', { text: Text() });
export const Budget = variant('budget', {
  tokens: PositiveInt({ expected: 'a whole number of thinking tokens >= 1' }),
  /** `s1` (default), `qwen3`, or the closing text itself. */
  close: Text(),
  answerTokens: Type.Optional(PositiveInt()),
});
export const Extend = variant('extend', {
  times: Type.Optional(PositiveInt()),
  word: Text(),
  /** Cap on the whole thinking, extensions included. */
  budget: Type.Optional(PositiveInt()),
});
export const InjectReflection = Type.Object(
  {
    ...variant('injectReflection', {
      word: Text(),
      /** At thinking token k. */
      at: Type.Optional(PositiveInt()),
      /** At a fraction of the natural thinking length. */
      fraction: Type.Optional(Fraction()),
      /** At every paragraph break. */
      paragraphs: Type.Optional(Type.Literal(true, { expected: 'true' })),
      max: Type.Optional(PositiveInt()),
    }).properties,
  },
  {
    additionalProperties: false,
    oneOf: [{ required: ['at'] }, { required: ['fraction'] }, { required: ['paragraphs'] }],
    expected: 'exactly one of at (token), fraction (0..1) or paragraphs: true',
  },
);
export const SuppressReflection = variant('suppressReflection', {
  words: Words(),
  maxSubstitutions: Type.Optional(PositiveInt()),
});
export const SoftBudget = variant('softBudget', {
  tokens: PositiveInt(),
  text: Text(),
});
export const EarlyExit = variant('earlyExit', {
  /** deer (default): trial answers at reflection words; dynasor: probes every `every` tokens. */
  method: Type.Optional(Type.Union([Type.Literal('deer'), Type.Literal('dynasor')], { expected: 'deer or dynasor' })),
  threshold: Type.Optional(Fraction()),
  words: Words(),
  every: Type.Optional(PositiveInt()),
  window: Type.Optional(PositiveInt()),
});
export const Probes = Type.Object(
  {
    ...variant('probes', {
      every: Type.Optional(PositiveInt()),
      at: Type.Optional(Type.Array(Fraction(), { minItems: 1, expected: 'a non-empty array of fractions 0..1' })),
      words: Type.Optional(Type.Boolean()),
      /** raml (default), dynasor, deer, or a literal suffix. */
      suffix: Text(),
      tokens: Type.Optional(PositiveInt()),
      /** The intervention probed (default baseline); checked by the registry. */
      on: Type.Optional(Type.Object({ type: Type.String({ minLength: 1 }) }, { additionalProperties: true, expected: 'an intervention' })),
    }).properties,
  },
  {
    additionalProperties: false,
    oneOf: [{ required: ['every'] }, { required: ['at'] }, { required: ['words'] }],
    expected: 'exactly one of every (tokens), at (fractions) or words: true',
  },
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

/** An intervention as a suite writes it. */
export type InterventionInput = Static<typeof InterventionSchema>;
/** An intervention after validation (the same: the registry applies defaults when it builds one). */
export type InterventionSpec = Resolved<typeof InterventionSchema>;
/** @deprecated The spec's old name, kept for modules not yet moved to `InterventionSpec` (it collided with the engine's `Intervention`). */
export type Intervention = InterventionSpec;
export type InterventionType = InterventionSpec['type'];
export const interventionTypes = Object.keys(interventionVariants) as InterventionType[];
