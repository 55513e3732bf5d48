import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { ValidationError } from '../core/validate.ts';
import { Fraction } from '../core/typebox.ts';
import { validateSuite } from '../suite/suite.ts';
import { suiteJsonSchema } from '../suite/json-schema.ts';
import { Label, checkSchema } from '../suite/schema/checks.ts';
import * as builtin from './builtin.ts';
import { checkDefinitions, registerCheck, type CheckSpec } from './registry.ts';
import { checkName, checkScope, defineCheck, named, runCheck, throwIfCheckCrashed, type CheckResult } from './index.ts';
import { result } from './rows.ts';
import { context, labeled, row, rowsFor } from './fixtures.ts';
import { check as answerTokensAtMost } from './fixtures/answerTokensAtMost.ts';

/**
 * A check registered the way a built-in is (one definition, one line): the suite schema, names,
 * scope, cross-field rules and dispatch all follow, with no other edit.
 */
const fixture = defineCheck({
  type: 'shareCorrectAbove',
  schema: checkSchema('shareCorrectAbove', { intervention: Label(), min: Fraction(), crash: Type.Optional(Type.Union([Type.Literal('bug'), Type.Literal('input')])) }),
  label: (spec) => `shareCorrectAbove(${spec.intervention} > ${spec.min})`,
  reads: (spec) => [named('intervention', spec.intervention)],
  problems: (spec) => (spec.min === 1 ? [{ pointer: 'min', expected: 'expected less than 1: nothing is above 1' }] : []),
  run(spec, ctx, name): CheckResult {
    if (spec.crash === 'bug') return (undefined as unknown as { x: CheckResult }).x;
    if (spec.crash === 'input') throw new InputError('shareCorrectAbove', 'a condition the check expects');
    const rows = ctx.rows.filter((r) => r.intervention === spec.intervention);
    const share = rows.filter((r) => r.correct).length / rows.length;
    return result(name, share > spec.min ? 'pass' : 'fail', `share ${share}`, { share, n: rows.length });
  },
});
const unregister = registerCheck(fixture);
afterAll(unregister);

const suite = (checks: unknown[]) => ({
  name: 't',
  problems: [{ id: 'a', question: 'q', answer: 1 }],
  interventions: [{ type: 'baseline' }, { type: 'noThinking', label: 'fast' }],
  checks,
});

function problemsOf(value: unknown): string[] {
  try {
    validateSuite(value, 'a.yaml');
  } catch (error) {
    if (error instanceof ValidationError) return error.lines;
    throw error;
  }
  return [];
}

describe('the check registry', () => {
  it('lists every built-in by the name it exports, and each file defines its own type', () => {
    for (const [exported, definition] of Object.entries(builtin)) expect(definition.type).toBe(exported);
    expect(checkDefinitions().map((d) => d.type)).toContain('shareCorrectAbove');
  });

  it("validates a registered check's fields with its schema, naming the file and field", () => {
    expect(problemsOf(suite([{ type: 'shareCorrectAbove', intervention: 'fast', min: 2 }]))).toEqual(['a.yaml: /checks/0/min: expected a number >= 0 and <= 1, got number 2']);
    expect(problemsOf(suite([{ type: 'shareCorrectAbove', intervention: 'fast', min: 0.5, extra: 1 }]))).toEqual([
      'a.yaml: /checks/0/extra: unknown field; expected one of type, name, intervention, min, crash',
    ]);
    // Its references and its own rules, as for a built-in.
    expect(problemsOf(suite([{ type: 'shareCorrectAbove', intervention: 'slow', min: 1 }]))).toEqual([
      'a.yaml: /checks/0/intervention: expected one of the suite\'s intervention labels (baseline, fast), got "slow"',
      'a.yaml: /checks/0/min: expected less than 1: nothing is above 1',
    ]);
    expect(suiteJsonSchema()).toMatchObject({ properties: { checks: { items: { else: { expected: 'a check' } } } } });
    expect(JSON.stringify(suiteJsonSchema())).toContain('"shareCorrectAbove"');
  });

  it('names, scopes and runs it', async () => {
    const spec = validateSuite(suite([{ type: 'shareCorrectAbove', intervention: 'fast', min: 0.5 }]), 't').checks[0] as CheckSpec;
    expect(checkName(spec)).toBe('shareCorrectAbove(fast > 0.5)');
    expect(checkScope(spec)).toEqual(['fast']);
    const rows = [...rowsFor('fast', 4, 3), row('p9', 'fast', false, { error: 'refused' }), row('p9', 'baseline', false, { error: 'refused' })];
    const verdict = await runCheck(spec, context(rows, labeled({ type: 'baseline' }, { type: 'noThinking', label: 'fast' })));
    // Errored rows are left out, and counted only for the intervention the check reads.
    expect(verdict).toMatchObject({ verdict: 'pass', summary: 'share 0.75 (1 errored result left out)', evidence: { n: 4, erroredLeftOut: 1 } });
  });

  it('refuses a type that is taken, or a schema for another type', () => {
    expect(() => registerCheck(fixture)).toThrow(/already registered/);
    expect(() => registerCheck({ ...fixture, type: 'other' })).toThrow(/literal 'other'/);
  });
});

describe('a crash inside a check', () => {
  const rows = rowsFor('fast', 2, 1);
  const ctx = context(rows, labeled({ type: 'baseline' }, { type: 'noThinking', label: 'fast' }));
  const spec = (crash: string) => validateSuite(suite([{ type: 'shareCorrectAbove', intervention: 'fast', min: 0.5, crash }]), 't').checks[0] as CheckSpec;

  it('in a registered check is a bug: an error verdict with the stack, and the run ends as an internal error', async () => {
    const verdict = await runCheck(spec('bug'), ctx);
    expect(verdict.verdict).toBe('error');
    expect(verdict.summary).toMatch(/^internal error \(a bug in thinkprobe's 'shareCorrectAbove' check\): Cannot read properties of undefined/);
    expect(String(verdict.evidence['internalError'])).toMatch(/^TypeError: .*\n\s+at .*registry\.test\.ts/);
    expect(() => throwIfCheckCrashed([verdict])).toThrow(/check 'shareCorrectAbove\(fast > 0.5\)' crashed/);
    try {
      throwIfCheckCrashed([verdict]);
    } catch (error) {
      expect((error as Error).stack).toContain('registry.test.ts');
    }
  });

  it('that is an expected condition (bad input) is an error verdict only', async () => {
    const verdict = await runCheck(spec('input'), ctx);
    expect(verdict).toMatchObject({ verdict: 'error', summary: 'the check failed to run: shareCorrectAbove: a condition the check expects', evidence: {} });
    expect(() => throwIfCheckCrashed([verdict])).not.toThrow();
  });

  it("in a suite's own check is an error verdict naming it, never an internal error", async () => {
    const custom = { kind: 'custom' as const, name: 'mine', run: async (): Promise<CheckResult> => Promise.reject(new TypeError('oops')) };
    const verdict = await runCheck(custom, ctx);
    expect(verdict).toMatchObject({ name: 'mine', verdict: 'error', summary: 'the check failed to run: oops', evidence: {} });
    expect(() => throwIfCheckCrashed([verdict])).not.toThrow();
  });
});

describe('the example of CONTRIBUTING.md, "Adding a check"', () => {
  const contributing = readFileSync(fileURLToPath(new URL('../../CONTRIBUTING.md', import.meta.url)), 'utf8');
  const example = readFileSync(fileURLToPath(new URL('./fixtures/answerTokensAtMost.ts', import.meta.url)), 'utf8');

  it('shows this file whole (with the paths it would have in src/checks/) and the one line', () => {
    const asBuiltin = example.replace(/'\.\.\/\.\.\//g, "'../").replace(/'\.\.\/check\.ts'/, "'./check.ts'").replace(/'\.\.\/rows\.ts'/, "'./rows.ts'");
    expect(contributing).toContain(`\`\`\`ts\n// src/checks/answerTokensAtMost.ts\n${asBuiltin}\`\`\``);
    expect(contributing).toContain("export { check as answerTokensAtMost } from './answerTokensAtMost.ts';");
  });

  it('works once registered: validated, named, run', async () => {
    const remove = registerCheck(answerTokensAtMost);
    try {
      const spec = validateSuite(suite([{ type: 'answerTokensAtMost', intervention: 'fast', max: 150, skipCapped: true }]), 't').checks[0] as CheckSpec;
      const rows = [row('p0', 'fast', true, { answerTokens: 100 }), row('p1', 'fast', true, { answerTokens: 400, capFired: true })];
      expect(await runCheck(spec, context(rows, labeled({ type: 'baseline' }, { type: 'noThinking', label: 'fast' })))).toMatchObject({
        name: 'answerTokensAtMost(fast <= 150)',
        verdict: 'pass',
        evidence: { n: 1, meanAnswerTokens: 100 },
      });
      expect(problemsOf(suite([{ type: 'answerTokensAtMost', max: 0 }]))).toEqual(['a.yaml: /checks/0/max: expected a number > 0, got number 0']);
    } finally {
      remove();
    }
  });
});
