import { suiteSchemaWith } from './schema/suite.ts';
import { interventionItemSchema } from '../interventions/index.ts';

/**
 * The suite schema as a standalone JSON Schema document (draft-07), for editors and other tools:
 * point a suite's `$schema` at `suite.schema.json`. Generated from the same definition ajv
 * validates with; a test keeps the committed file in step.
 */
export function suiteJsonSchema(): Record<string, unknown> {
  // JSON round trip: drops TypeBox's symbol-keyed metadata, leaving plain JSON Schema.
  const plain = JSON.parse(JSON.stringify(suiteSchemaWith(interventionItemSchema()))) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://thinkprobe.dev/suite.schema.json',
    title: 'thinkprobe suite',
    ...plain,
  };
}
