import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { defineSuite, loadSuite, suiteGoldenPath, suiteJsonSchema, validateSuite } from './index.ts';
import { isCustomCheck } from '../checks/types.ts';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

describe('the JSON Schema document', () => {
  it('is committed as suite.schema.json, in step with the definition (UPDATE_SCHEMA=1 rewrites it)', () => {
    const generated = `${JSON.stringify(suiteJsonSchema(), null, 2)}\n`;
    if (process.env['UPDATE_SCHEMA'] === '1') writeFileSync(here('./suite.schema.json'), generated);
    expect(readFileSync(here('./suite.schema.json'), 'utf8')).toBe(generated);
  });

  it('works on its own in any draft-07 validator: accepts a good suite, rejects a broken one', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(suiteJsonSchema());
    expect(validate(JSON.parse(readFileSync(here('./fixtures/same.json'), 'utf8')))).toBe(true);
    expect(validate(JSON.parse(readFileSync(here('./fixtures/broken-2.json'), 'utf8')))).toBe(false);
    // A check named by file is left to the loader; a built-in's fields are still checked.
    const base = { name: 'x', problems: [{ id: 'a', question: 'q', answer: 1 }] };
    expect(validate({ ...base, checks: [{ use: './mine.ts', max: 3 }] })).toBe(true);
    expect(validate({ ...base, checks: [{ use: '' }] })).toBe(false);
    expect(validate({ ...base, checks: [{ type: 'accuracyAtLeast', min: 3 }] })).toBe(false);
  });
});

describe('defineSuite types', () => {
  it('reject what the schema rejects where a type can say it', () => {
    const base = { name: 'x', problems: [{ id: 'a', question: 'q', answer: 1 }] };
    // @ts-expect-error: unknown intervention type
    defineSuite({ ...base, interventions: [{ type: 'nope' }] });
    // @ts-expect-error: budget needs tokens
    defineSuite({ ...base, interventions: [{ type: 'budget' }] });
    // @ts-expect-error: unknown check parameter
    defineSuite({ ...base, checks: [{ type: 'accuracyAtLeast', min: 0.5, minimum: 1 }] });
    // @ts-expect-error: unknown family
    defineSuite({ ...base, problems: [{ family: 'algebra', count: 2 }] });
    expect(defineSuite(base)).toBe(base);
  });
});

describe('golden file location', () => {
  it('defaults to golden/ in the working directory; golden.dir is relative to the suite file', async () => {
    const loaded = await loadSuite(here('./fixtures/same.yaml'));
    expect(suiteGoldenPath(loaded, 'sim:sim-qwq', '/work/project')).toBe('/work/project/golden/same/sim_sim-qwq.json');
    const pinned = { ...loaded, suite: { ...loaded.suite, golden: { dir: '../baselines', model: 'qwq:32b' } } };
    expect(suiteGoldenPath(pinned, 'qwq:32b-candidate', '/elsewhere')).toBe(`${loaded.root.replace(/\/[^/]+$/, '')}/baselines/same/qwq_32b.json`);
  });
});

describe('the format documentation (README.md)', () => {
  it('its YAML example is a valid suite', () => {
    const readme = readFileSync(here('./README.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml).toBeDefined();
    const suite = validateSuite(parse(yaml!), 'README.md');
    expect(suite.checks.map((c) => (isCustomCheck(c) ? c.name : c.type))).toEqual(['accuracyAtLeast', 'monotoneInBudget', 'tokensSavedAtLeast', 'property']);
  });

  it('its TypeScript example loads, with the property check in place', async () => {
    const { suite } = await loadSuite(here('./fixtures/property.suite.ts'));
    expect(suite.checks).toHaveLength(1);
    expect(isCustomCheck(suite.checks[0])).toBe(true);
  });
});
