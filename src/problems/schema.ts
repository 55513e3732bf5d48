import { Type, type Static } from '@sinclair/typebox';
import { Default, PositiveInt, StringOrNumber, keyed, type Resolved } from '../core/typebox.ts';
import { families, type FamilyName } from './families/index.ts';

/** Where a suite's problems come from: a dataset file, a generated family, or problems written inline. */

export const datasetFormats = ['gsm8k', 'math', 'aime', 'jsonl', 'json', 'csv'] as const;

export const DatasetSource = Type.Object(
  {
    /** Path to the file, relative to the suite file. */
    dataset: Type.String({ minLength: 1 }),
    /** Name used as the problems' `source` and in generated ids (default: the file's base name). */
    name: Type.Optional(Type.String({ minLength: 1 })),
    /** gsm8k / math / aime know their field names; jsonl / json / csv use `fields`. Default: from the extension. */
    format: Type.Optional(
      Type.Union(
        datasetFormats.map((f) => Type.Literal(f)),
        { expected: `one of ${datasetFormats.join(', ')}` },
      ),
    ),
    /** Which column holds what, when the file does not use question/problem, answer/gold, id. */
    fields: Type.Optional(
      Type.Object(
        {
          question: Type.Optional(Type.String({ minLength: 1 })),
          answer: Type.Optional(Type.String({ minLength: 1 })),
          id: Type.Optional(Type.String({ minLength: 1 })),
          difficulty: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Keep only these ids (applied first). */
    ids: Type.Optional(Type.Array(StringOrNumber, { minItems: 1 })),
    /** Keep only these difficulty levels (1..5; MATH's levels). */
    levels: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 5 }), { minItems: 1 })),
    /** Shuffle with this seed (after ids/levels, before limit). */
    shuffle: Type.Optional(Type.Object({ seed: Type.Integer() }, { additionalProperties: false })),
    /** Keep the first N (after shuffling). */
    limit: Type.Optional(PositiveInt()),
  },
  { additionalProperties: false },
);

/** Most problems one family source may generate. */
export const MAX_GENERATED = 100_000;

export const FamilySource = Type.Object(
  {
    /** A generated problem family shared with the simulator, e.g. `arithmetic-chain`. */
    family: Type.Unsafe<FamilyName>({ type: 'string', enum: [...families], expected: `one of ${families.join(', ')}` }),
    /** Capped so a typo (`1e9`) is one clear error instead of a run that never starts. */
    count: PositiveInt({ maximum: MAX_GENERATED }),
    difficulty: Default(Type.Integer({ minimum: 1, maximum: 5 }), 2),
    seed: Default(Type.Integer(), 0),
  },
  { additionalProperties: false },
);

export const InlineProblem = Type.Object(
  {
    id: StringOrNumber,
    question: Type.String({ minLength: 1 }),
    answer: StringOrNumber,
    difficulty: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    choices: Type.Optional(Type.Array(Type.String(), { minItems: 2 })),
    meta: Type.Optional(
      Type.Record(Type.String(), Type.Unsafe<string | number | boolean>({ type: ['string', 'number', 'boolean'] })),
    ),
  },
  { additionalProperties: false },
);

export const ProblemSourceSchema = keyed(['dataset', 'family'], [DatasetSource, FamilySource, InlineProblem], {
  expected: 'a problem source: { dataset }, { family, count } or an inline { id, question, answer }',
});

export type DatasetSourceInput = Static<typeof DatasetSource>;
export type DatasetSourceSpec = Resolved<typeof DatasetSource>;
export type FamilySourceSpec = Resolved<typeof FamilySource>;
export type InlineProblemSpec = Resolved<typeof InlineProblem>;
export type ProblemSource = Resolved<typeof ProblemSourceSchema>;
export type ProblemSourceInput = Static<typeof ProblemSourceSchema>;
export type DatasetFormat = (typeof datasetFormats)[number];
