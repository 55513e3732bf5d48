import { Type } from '@sinclair/typebox';
import { Default } from '../core/typebox.ts';
import { checksSchema, registryRevision } from '../checks/registry.ts';
import { interventionItemSchema } from '../interventions/index.ts';
import { SuiteSchema } from './schema/suite.ts';

/**
 * The suite schema as suites are validated against it and editors see it: the spec's fields
 * (schema/suite.ts) with the schemas of every intervention and every registered check plugged in.
 * This is the one place both are plugged in. It sits above src/checks (the registry) because the
 * spec stage sits below it (checks read results and golden files, which name the spec's types).
 */

/** Every intervention the suite may name, as one union picked by `type`. */
function interventionsSchema() {
  return interventionItemSchema();
}

let cached: { revision: number; schema: ReturnType<typeof assemble> } | undefined;

function assemble() {
  return Type.Object(
    {
      ...SuiteSchema.properties,
      interventions: Default(Type.Array(interventionsSchema(), { minItems: 1 }), [{ type: 'baseline' }]),
      checks: Default(Type.Array(checksSchema()), []),
    },
    { additionalProperties: false },
  );
}

/** The assembled schema; rebuilt when a check is registered (a suite file or a plugin may add one). */
export function suiteSchema(): ReturnType<typeof assemble> {
  const revision = registryRevision();
  if (cached?.revision !== revision) cached = { revision, schema: assemble() };
  return cached.schema;
}
