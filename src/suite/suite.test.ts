import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import type { CustomCheck } from '../checks/types.ts';
import { defineSuite, interventionLabel, loadSuite, validateSuite, ValidationError, type InterventionSpec } from './index.ts';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const f = (name: string) => `${dir}${name}`;

async function lines(file: string): Promise<string[]> {
  try {
    await loadSuite(file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error instanceof ValidationError ? error.lines : [(error as Error).message];
  }
  throw new Error(`${file} loaded without an error`);
}

describe('loading suites', () => {
  it('YAML, JSON and TypeScript suites load to the same value', async () => {
    const yaml = await loadSuite(f('same.yaml'));
    const json = await loadSuite(f('same.json'));
    const ts = await loadSuite(f('same.suite.ts'));
    expect(json.suite).toEqual(yaml.suite);
    expect(ts.suite).toEqual(yaml.suite);
    expect(yaml.root).toBe(dir.replace(/\/$/, ''));
  });

  it('applies the documented defaults', async () => {
    const { suite } = await loadSuite(f('same.yaml'));
    expect(suite.model).toBe('sim:sim-qwq');
    expect(suite.sampling).toEqual({ temperature: 0.6, topP: 0.95, topK: 40 });
    expect(suite.seed).toBe(0);
    expect(suite.template).toBeUndefined();
    // Intervention defaults belong to the registry (src/interventions), which applies them when it builds one.
    expect(suite.interventions[1]).toEqual({ type: 'budget', tokens: 512 });
    expect(suite.interventions[2]).toEqual({ type: 'extend', times: 2 });
    expect(suite.problems[1]).toEqual({ family: 'arithmetic-chain', count: 3, difficulty: 2, seed: 7 });
    expect(suite.checks[0]).toEqual({ type: 'accuracyAtLeast', intervention: 'baseline', min: 0.8, bound: 'point', confidence: 0.95 });
    const minimal = validateSuite({ name: 'm', problems: [{ id: 1, question: 'q', answer: 1 }] }, 'm.json');
    expect(minimal.interventions).toEqual([{ type: 'baseline' }]);
    expect(minimal.checks).toEqual([]);
  });

  it('keeps YAML answers and ids as written (025 stays 025)', async () => {
    const { suite } = await loadSuite(f('answers.yaml'));
    expect(suite.problems).toEqual([
      { id: '007', question: 'AIME-style', answer: '025' },
      { id: 'b', question: 'Decimal', answer: '1.50' },
      { dataset: 'x.jsonl', ids: ['060', 'a'] },
    ]);
  });

  it('does not modify the value it validates', () => {
    const value = { name: 'm', problems: [{ id: 1, question: 'q', answer: 1 }] };
    validateSuite(value, 'm.json');
    expect(value).toEqual({ name: 'm', problems: [{ id: 1, question: 'q', answer: 1 }] });
  });
});

describe('broken suites: one line per problem, with file, line and JSON pointer', () => {
  it('schema errors in YAML', async () => {
    const file = f('broken-1.yaml');
    expect(await lines(file)).toEqual([
      `${file}:1: /name: expected a name of letters, digits, ., _ or - (it is used in file paths), got string "broken one"`,
      `${file}:5: /problems/0/limit: expected a whole number >= 1, got number 0`,
      `${file}:6: /problems/1/count: missing; expected a whole number >= 1 and <= 100000`,
      `${file}:7: /problems/1/difficulty: expected a whole number >= 1 and <= 5, got number 9`,
      `${file}:8: /problems/2/answer: missing; expected a string or number`,
      `${file}:10: /samples: expected a whole number >= 1 and <= 10000, got string "two"`,
      `${file}:14: /interventions/1/tokens: expected a whole number of thinking tokens >= 1, got number -5`,
      `${file}:15: /interventions/2/type: expected one of baseline, budget, earlyExit, extend, injectReflection, noThinking, probes, softBudget, stopInstruction, stopPhrase, suppressReflection, got string "extnd"`,
      `${file}:16: /interventions/3: expected exactly one of at (token), fraction (0..1) or paragraphs: true`,
      `${file}:20: /interventions/4/colour: unknown field; expected one of type, label, tokens, close, answerTokens`,
      `${file}:23: /checks/0/min: expected a number >= 0 and <= 1, got number 1.5`,
    ]);
  });

  it('schema errors in JSON', async () => {
    const file = f('broken-2.json');
    expect(await lines(file)).toEqual([
      `${file}:3: /problems: expected an array of at least 1, got 0 items`,
      `${file}:7: /sampling/top_p: unknown field; expected one of temperature, topP, topK`,
      `${file}:7: /sampling/temperature: expected a number >= 0, got number -1`,
      `${file}:11: /interventions/2/method: expected deer or dynasor, got string "deep"`,
      `${file}:15: /checks/1/type: expected one of accuracyAtLeast, accuracyDropAtMost, budgetRespected, confidenceRises, monotoneInBudget, noRegression, property, reflectionShift, tokensSavedAtLeast, got string "noSuchCheck"`,
    ]);
  });

  it('rules across fields: duplicate labels, references, sizes', async () => {
    const file = f('broken-3.json');
    expect(await lines(file)).toEqual([
      `${file}:9: /interventions/2: label 'budget(512)' is already used by /interventions/1; give one of them a different label`,
      `${file}:10: /interventions/3/tokens: expected at most maxThinkingTokens (1024), got 2048`,
      `${file}:13: /checks/0/intervention: expected one of the suite's intervention labels (baseline, budget(512), softBudget(2048)), got "budget(1024)"`,
      `${file}:14: /checks/1/interventions/0: expected a budget intervention, got 'baseline' (baseline)`,
    ]);
  });

  it("the intervention registry's own rules, at the right pointer", async () => {
    const file = f('broken-4.json');
    expect(await lines(file)).toEqual([
      `${file}:6: /interventions/1/window: unknown field; expected one of type, label, method, threshold, words`,
      `${file}:7: /interventions/2/on/tokens: expected a whole number of thinking tokens >= 1, got number 0`,
    ]);
  });

  it("the template registry's rules", async () => {
    const file = f('broken-5.yaml');
    expect(await lines(file)).toEqual([`${file}:3: /template/prompt: expected exactly one {prompt} placeholder, found 2`]);
    expect(() => validateSuite({ name: 'x', template: 'llama', problems: [{ id: 1, question: 'q', answer: 1 }] }, 'x.yaml')).toThrow(
      "x.yaml: /template: unknown template 'llama'; expected one of chatml-qwq, qwen3, deepseek-r1 (or a custom template in the suite)",
    );
    expect(validateSuite({ name: 'x', template: 'qwq', problems: [{ id: 1, question: 'q', answer: 1 }] }, 'x.yaml').template).toBe('qwq');
  });

  it('TypeScript suites: pointers keep their indices around TypeScript checks', async () => {
    const file = f('broken.suite.ts');
    expect(await lines(file)).toEqual([`${file}:13:37: /interventions/0/tokens: expected a whole number of thinking tokens >= 1, got number 0`]);
    const custom: CustomCheck = { kind: 'custom', name: 'c', run: async () => ({ name: 'c', verdict: 'pass', summary: '', evidence: {} }) };
    const value = defineSuite({
      name: 'x',
      problems: [{ id: 'a', question: 'q', answer: '1' }],
      checks: [custom, { type: 'accuracyAtLeast', min: 0.5, intervention: 'nope' }],
    });
    expect(() => validateSuite(value, 'x.suite.ts')).toThrow(
      `x.suite.ts: /checks/1/intervention: expected one of the suite's intervention labels (baseline), got "nope"`,
    );
    const ok = validateSuite({ ...value, checks: [{ type: 'accuracyAtLeast', min: 0.5 }, custom] }, 'x.suite.ts');
    expect(ok.checks[1]).toBe(custom);
    expect(ok.checks[0]).toMatchObject({ type: 'accuracyAtLeast', intervention: 'baseline' });
  });

  it('a UTF-8 byte order mark (Windows editors) is not part of a JSON or YAML suite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-suite-'));
    try {
      const suite = { name: 'bom', problems: [{ id: 1, question: 'q', answer: 1 }] };
      writeFileSync(join(dir, 'bom.json'), `\uFEFF${JSON.stringify(suite)}`);
      writeFileSync(join(dir, 'bom.yaml'), '\uFEFFname: bom\nproblems:\n  - {id: 1, question: q, answer: 1}\n');
      expect((await loadSuite(join(dir, 'bom.json'))).suite.name).toBe('bom');
      expect((await loadSuite(join(dir, 'bom.yaml'))).suite.name).toBe('bom');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('TypeScript suites that do not load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-suite-'));
    try {
      writeFileSync(join(dir, 'bad.suite.ts'), "export default { name: 'x', problems: [ };\n");
      writeFileSync(join(dir, 'throws.suite.ts'), "throw new Error('boom');\n");
      writeFileSync(join(dir, 'nodefault.suite.ts'), 'export const suite = {};\n');
      expect((await lines(join(dir, 'bad.suite.ts')))[0]).toMatch(new RegExp(`^${join(dir, 'bad.suite.ts')}(:1)?: could not be loaded: `));
      expect(await lines(join(dir, 'throws.suite.ts'))).toEqual([`${join(dir, 'throws.suite.ts')}:1: could not be loaded: boom`]);
      expect(await lines(join(dir, 'nodefault.suite.ts'))).toEqual([`${join(dir, 'nodefault.suite.ts')}: expected a default export: export default defineSuite({ ... })`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('syntax errors and unknown files', async () => {
    expect(await lines(f('broken-syntax.yaml'))).toEqual([`${f('broken-syntax.yaml')}:5: not valid YAML (Missing closing "quote)`]);
    expect((await lines(f('broken-syntax.json')))[0]).toMatch(/broken-syntax\.json:3: not valid JSON \(/);
    expect(await lines(f('nothing.yaml'))).toEqual([`${f('nothing.yaml')}: no such file`]);
    expect(await lines(f('alias-bomb.yaml'))).toEqual([
      `${f('alias-bomb.yaml')}: not valid YAML (too many aliases: at most 100 are expanded, to keep a hostile file from exhausting memory)`,
    ]);
    expect(await lines(f('suite.toml'))).toEqual([`${f('suite.toml')}: expected a suite file ending in .suite.ts, .ts, .json, .yaml or .yml`]);
  });

  it('sizes that could never run (a typo like 1e9) are refused up front', () => {
    const family = { family: 'arithmetic-chain', count: 1e9, difficulty: 2, seed: 0 };
    expect(() => validateSuite({ name: 'x', problems: [family] }, 'x.yaml')).toThrow(
      'x.yaml: /problems/0/count: expected a whole number >= 1 and <= 100000, got number 1000000000',
    );
    expect(() => validateSuite({ name: 'x', samples: 1e9, problems: [{ id: 1, question: 'q', answer: 1 }] }, 'x.yaml')).toThrow(
      'x.yaml: /samples: expected a whole number >= 1 and <= 10000, got number 1000000000',
    );
    expect(validateSuite({ name: 'x', problems: [{ ...family, count: 100_000 }] }, 'x.yaml').problems).toHaveLength(1);
  });

  it('a TypeScript suite with a function where data belongs', () => {
    expect(() => validateSuite({ name: 'x', problems: [{ id: 'a', question: () => 'q', answer: 1 }] }, 'x.suite.ts')).toThrow(
      'x.suite.ts: /problems/0/question: expected plain data (JSON), got function',
    );
    expect(() => validateSuite({ name: 'x', seed: Number.NaN, problems: [{ id: 'a', question: 'q', answer: 1 }] }, 'x.suite.ts')).toThrow(
      'x.suite.ts: /seed: expected a finite number, got NaN',
    );
  });

  it('unknown families are named with the known ones', () => {
    expect(() => validateSuite({ name: 'x', problems: [{ family: 'algebra', count: 2 }] }, 'x.yaml')).toThrow(
      'x.yaml: /problems/0/family: expected one of arithmetic-chain, linear-equation, word-problem, got string "algebra"',
    );
  });
});

describe('intervention labels', () => {
  it("uses the engine's label (the registry's describe()) unless the suite gives one", () => {
    const cases: [InterventionSpec, string][] = [
      [{ type: 'baseline' }, 'baseline'],
      [{ type: 'budget', tokens: 256 }, 'budget(256)'],
      [{ type: 'budget', tokens: 256, close: 'qwen3' }, 'budget(256,qwen3)'],
      [{ type: 'extend', times: 2 }, 'extend(x2)'],
      [{ type: 'injectReflection', fraction: 0.5 }, 'injectReflection(fraction=0.5)'],
      [{ type: 'earlyExit', method: 'dynasor', every: 128, window: 2 }, 'earlyExit(dynasor,every=128,window=2)'],
      [{ type: 'budget', tokens: 256, close: 'qwen3', label: 'qwen3 cap' }, 'qwen3 cap'],
    ];
    for (const [intervention, label] of cases) expect(interventionLabel(intervention)).toBe(label);
  });
});
