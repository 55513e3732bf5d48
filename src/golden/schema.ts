import { Type, type Static } from '@sinclair/typebox';

/**
 * `golden/<suite>/<model>.json`: a baseline run's per problem x intervention x sample outcomes,
 * their aggregates, and the environment they came from. Schema-validated on read, so a hand-edited
 * or truncated golden file is reported, not trusted.
 */

export const GOLDEN_FORMAT = 'thinkprobe-golden';
export const GOLDEN_VERSION = 1;

const Count = Type.Integer({ minimum: 0 });

export const GoldenOutcomeSchema = Type.Object(
  {
    problemId: Type.String({ minLength: 1 }),
    intervention: Type.String({ minLength: 1 }),
    sample: Count,
    correct: Type.Boolean(),
    thinkingTokens: Count,
    answerTokens: Count,
    /** The graded answer, for people reading a diff (untrusted model output). */
    answer: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const GoldenAggregateSchema = Type.Object(
  {
    intervention: Type.String({ minLength: 1 }),
    n: Count,
    correct: Count,
    accuracy: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { expected: 'a number 0..1 or null' }),
    meanThinkingTokens: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { expected: 'a number >= 0 or null' }),
    meanAnswerTokens: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { expected: 'a number >= 0 or null' }),
  },
  { additionalProperties: false },
);

export const GoldenEnvironmentSchema = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    /** The model's content digest (empty when the server reports none). */
    digest: Type.String(),
    /** e.g. "ollama 0.12.11" or "thinkprobe-sim 0.1.0". */
    serverVersion: Type.String(),
    thinkprobeVersion: Type.String({ minLength: 1 }),
    /** The run settings that determine outcomes: samples, seed, sampling, token limits, template, prompt, ... */
    options: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: true },
);

export const GoldenSchema = Type.Object(
  {
    format: Type.Literal(GOLDEN_FORMAT),
    version: Type.Literal(GOLDEN_VERSION),
    suite: Type.String({ minLength: 1 }),
    model: Type.String({ minLength: 1 }),
    createdAt: Type.String({ minLength: 1 }),
    environment: GoldenEnvironmentSchema,
    /** Each intervention's label and parameters, as the suite had them. */
    interventions: Type.Array(
      Type.Object({ label: Type.String({ minLength: 1 }), intervention: Type.Object({ type: Type.String() }, { additionalProperties: true }) }, { additionalProperties: false }),
    ),
    aggregates: Type.Array(GoldenAggregateSchema),
    outcomes: Type.Array(GoldenOutcomeSchema),
  },
  { additionalProperties: false },
);

export type GoldenFile = Static<typeof GoldenSchema>;
export type GoldenOutcomeRecord = Static<typeof GoldenOutcomeSchema>;
export type GoldenAggregate = Static<typeof GoldenAggregateSchema>;
export type GoldenEnvironment = Static<typeof GoldenEnvironmentSchema>;
