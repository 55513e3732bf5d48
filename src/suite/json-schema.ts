import { suiteSchema } from './suite-schema.ts';

/**
 * The suite schema as a standalone JSON Schema document (draft-07), for editors and other tools:
 * point a suite's `$schema` at `suite.schema.json`. Generated from the same definition ajv
 * validates with (the registered checks included); a test keeps the committed file in step.
 */
export function suiteJsonSchema(): Record<string, unknown> {
  // JSON round trip: drops TypeBox's symbol-keyed metadata, leaving plain JSON Schema.
  const plain = JSON.parse(JSON.stringify(suiteSchema())) as { properties: { checks: { items: unknown } } };
  // A check named by file (`{ use: ./my-check.ts, ... }`) has the fields its module defines, which
  // no static document knows: editors accept any such entry; the loader validates it.
  plain.properties.checks.items = {
    if: { type: 'object', required: ['use'] },
    then: { type: 'object', required: ['use'], properties: { use: { type: 'string', minLength: 1, description: 'a check module, relative to the suite' } } },
    else: plain.properties.checks.items,
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://thinkprobe.dev/suite.schema.json',
    title: 'thinkprobe suite',
    ...plain,
  };
}
