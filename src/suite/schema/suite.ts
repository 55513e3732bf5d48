import { Type, type Static } from '@sinclair/typebox';
import { Default, PositiveInt, type Resolved } from '../../core/typebox.ts';
import { InterventionSchema } from './interventions.ts';
import { ProblemSourceSchema } from '../../problems/schema.ts';
import { AnyCheck } from './checks.ts';

export const DEFAULT_MODEL = 'sim:sim-qwq';

/** Mirrors CustomTemplateSpec in src/templates/custom.ts, whose rules are checked after the schema (suite.ts). */
const CustomTemplate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1 })),
    /** The raw prompt with `{prompt}` once (the user turn's content) and optionally `{system}`. */
    prompt: Type.String({ pattern: '\\{prompt\\}', expected: 'a string containing {prompt}' }),
    /** The system block with `{system}` in it. */
    system: Type.Optional(Type.String({ pattern: '\\{system\\}', expected: 'a string containing {system}' })),
    thinkOpen: Type.String({ minLength: 1 }),
    thinkClose: Type.String({ minLength: 1 }),
    endOfTurn: Type.String({ minLength: 1 }),
    stopStrings: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    prefillsThink: Type.Optional(Type.Boolean()),
    promptSuffix: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** A named template (`chatml-qwq`, `qwen3`, `deepseek-r1`, or an alias) or a custom one given as strings. */
const TemplateSchema = Type.Unsafe<string | Static<typeof CustomTemplate>>({
  expected: 'a template name or { prompt, thinkOpen, thinkClose, endOfTurn }',
  if: { type: 'string' },
  then: Type.String({ minLength: 1 }),
  else: CustomTemplate,
});

/**
 * The suite as this stage knows it. Checks are any `{ type }` here; the schema suites are validated
 * against, and the editor's JSON schema, are assembled from it with the registered checks' schemas
 * (src/suite/suite-schema.ts).
 */
export const SuiteSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    /** Used in paths (`golden/<name>/`, `reports/<name>/`): letters, digits, `.`, `_`, `-`. */
    name: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      expected: 'a name of letters, digits, ., _ or - (it is used in file paths)',
    }),
    description: Type.Optional(Type.String()),
    /** `sim:<card>` runs the in-process simulator; anything else is an Ollama model name. */
    model: Default(Type.String({ minLength: 1 }), DEFAULT_MODEL),
    /** Default: picked from the model's /api/show details (the simulator's cards report theirs). */
    template: Type.Optional(TemplateSchema),
    /** Replaces the instruction after the question (default RaML's `\n\nPlease reason step by step, ...`; '' for none). */
    promptSuffix: Type.Optional(Type.String()),
    /** A system message, rendered in the template's system slot. */
    system: Type.Optional(Type.String()),
    /** Prefill the thinking-open delimiter in the prompt (default) or let the model write it. */
    prefillThink: Type.Optional(Type.Boolean()),
    problems: Type.Array(ProblemSourceSchema, { minItems: 1 }),
    /** Capped so a typo (`1e9`) is one clear error instead of a plan that never finishes building. */
    samples: Default(PositiveInt({ maximum: 10_000 }), 1),
    seed: Default(Type.Integer({ minimum: 0 }), 0),
    /** RaML's sampling settings by default. */
    sampling: Default(
      Type.Object(
        {
          temperature: Default(Type.Number({ minimum: 0 }), 0.6),
          topP: Default(Type.Number({ exclusiveMinimum: 0, maximum: 1 }), 0.95),
          topK: Default(Type.Integer({ minimum: 0 }), 40),
        },
        { additionalProperties: false },
      ),
      {},
    ),
    maxThinkingTokens: Default(PositiveInt(), 16384),
    answerTokens: Default(PositiveInt(), 1024),
    /** Fixed for the whole run (changing it reloads the model); must hold prompt + thinking + answer. */
    numCtx: Default(PositiveInt(), 20480),
    /**
     * Share of results allowed to error (a request the server refused or answered unusably) before
     * the run fails. Default 0: any errored result fails the run.
     */
    maxErrorRate: Default(Type.Number({ minimum: 0, maximum: 1, expected: 'a share of results from 0 to 1' }), 0),
    interventions: Default(Type.Array(InterventionSchema, { minItems: 1 }), [{ type: 'baseline' }]),
    /** Each check's own fields come from the check registry: src/suite/suite-schema.ts plugs them in. */
    checks: Default(Type.Array(AnyCheck), []),
    golden: Type.Optional(
      Type.Object(
        {
          /** Folder holding `<suite>/<model>.json`, relative to the suite file (default: `golden/` in the working directory). */
          dir: Type.Optional(Type.String({ minLength: 1 })),
          /** Compare against this model's golden instead of the suite's model (e.g. a release candidate against the current one). */
          model: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/**
 * The suite schema with a precise intervention entry in place of the general one: the suite loader
 * and the editor schema pass src/interventions' `interventionItemSchema()` (this stage cannot import it).
 */
export function suiteSchemaWith(interventionItem: object): typeof SuiteSchema {
  const interventions = { ...SuiteSchema.properties.interventions, items: interventionItem };
  return { ...SuiteSchema, properties: { ...SuiteSchema.properties, interventions } } as typeof SuiteSchema;
}

/** A suite as written (defaulted fields optional): JSON-able part of what `defineSuite` accepts. */
export type SuiteDataInput = Static<typeof SuiteSchema>;
/** A validated suite, defaults filled in. */
export type SuiteData = Resolved<typeof SuiteSchema>;
