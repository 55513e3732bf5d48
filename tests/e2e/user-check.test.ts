import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, thinkprobe } from './cli-helpers.ts';
import { runSuite } from '../../src/runner/run-suite.ts';

/**
 * A crash inside a check, end to end through bin/thinkprobe.js. A registered check (registered
 * the way built-ins are, here by the suite file itself) that throws is a bug in thinkprobe: exit
 * 70 with its stack, and the run's files are still written. A suite's own CustomCheck that throws
 * is the suite's problem: an `error` verdict naming the check, and the run fails as a check does.
 */

const checksModule = join(root, 'src/checks/index.ts');
const suiteModule = join(root, 'src/suite/index.ts');

/** Every file under dir, relative paths. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const problems = `problems: [{ id: 'p1', question: 'What is 17 + 25?', answer: '42' }, { id: 'p2', question: 'What is 6 * 7?', answer: '42' }],
  maxThinkingTokens: 256,
  answerTokens: 64,
  numCtx: 2048,`;

/** A suite that registers a check whose run throws a TypeError (a bug), and uses it after a check that passes. */
const crashingSuite = `import { Type } from '@sinclair/typebox';
import { defineCheck, registerCheck, checkSchema, named } from ${JSON.stringify(checksModule)};
import { defineSuite } from ${JSON.stringify(suiteModule)};

registerCheck(defineCheck({
  type: 'explodes',
  schema: checkSchema('explodes', { intervention: Type.String({ minLength: 1 }) }),
  label: (spec) => \`explodes(\${spec.intervention})\`,
  reads: (spec) => [named('intervention', spec.intervention)],
  run: (spec, context) => {
    const rows = context.rows.filter((row) => row.intervention === spec.intervention);
    return (rows as unknown as { missing: { field: number } }).missing.field > 0 as never;
  },
}));

export default defineSuite({
  name: 'crashing-check',
  ${problems}
  checks: [{ type: 'accuracyAtLeast', min: 0 }, { type: 'explodes', intervention: 'baseline' } as never],
});
`;

/** The same shape of bug in the suite's own check. */
const customSuite = `import { defineSuite } from ${JSON.stringify(suiteModule)};

export default defineSuite({
  name: 'custom-crash',
  ${problems}
  checks: [
    { type: 'accuracyAtLeast', min: 0 },
    { kind: 'custom', name: 'my own check', run: async () => { throw new RangeError('my check broke'); } },
  ],
});
`;

/** A check module a YAML suite names with `use:`, written as a user would: against the `thinkprobe` package. */
const userCheckModule = (type: string, crash: boolean) => `import { Type } from '@sinclair/typebox';
import { defineCheck, checkSchema } from 'thinkprobe';

export const check = defineCheck({
  type: '${type}',
  schema: checkSchema('${type}', { intervention: Type.String({ minLength: 1 }), maxAnswerTokens: Type.Integer({ minimum: 1 }) }),
  label: (spec) => \`${type}(\${spec.intervention})\`,
  reads: (spec) => [{ field: 'intervention', label: spec.intervention }],
  run: (spec, context, name) => {
    ${crash ? "throw new Error('my module broke');" : ''}
    const rows = context.rows.filter((row) => row.intervention === spec.intervention);
    const longest = Math.max(...rows.map((row) => row.answerTokens));
    return { name, verdict: longest <= spec.maxAnswerTokens ? 'pass' : 'fail', summary: \`longest answer \${longest}\`, evidence: { longest, n: rows.length } };
  },
});
`;

describe('a check that throws', () => {
  const work = mkdtempSync(join(tmpdir(), 'thinkprobe-user-check-'));

  it('inside a registered check is an internal error: exit 70, the stack on stderr, and the run files still written', async () => {
    writeFileSync(join(work, 'crash.suite.ts'), crashingSuite);
    const out = join(work, 'reports-crash');
    const ran = await thinkprobe(['run', 'crash.suite.ts', '--out', out, '--reporter', 'silent'], work);
    expect(ran.code, ran.stderr).toBe(70);
    expect(ran.stderr).toMatch(/^thinkprobe: internal error: Error: check 'explodes\(baseline\)' crashed/m);
    // The original exception and where it was thrown: a stack, not one line.
    expect(ran.stderr).toContain("TypeError: Cannot read properties of undefined (reading 'field')");
    expect(ran.stderr).toMatch(/\n\s+at .*crash\.suite\.ts/);
    const files = filesUnder(out);
    const named = (name: string): string | undefined => files.find((f) => f.endsWith(`/${name}`));
    for (const name of ['results.jsonl', 'summary.md', 'junit.xml']) expect(named(name), `${name} in ${files.join(', ')}`).toBeDefined();
    expect(readFileSync(named('results.jsonl')!, 'utf8').trim().split('\n')).toHaveLength(2);
    // summary.md escapes Markdown's characters; read it as a user sees it rendered.
    const summary = readFileSync(named('summary.md')!, 'utf8').replace(/\\/g, '');
    expect(summary).toContain("| explodes(baseline) | ⚠️ error | internal error (a bug in thinkprobe's 'explodes' check): Cannot read properties of undefined");
    // The check before it ran and kept its verdict.
    expect(summary).toContain('| accuracyAtLeast(baseline >= 0) | ✅ pass |');
  });

  it("inside the suite's own check is an error verdict naming the check, and the run goes on (fails, no internal error)", async () => {
    writeFileSync(join(work, 'custom.suite.ts'), customSuite);
    // In process (the exit code follows from the verdict, which run-cli.test.ts covers): cheaper than a second CLI start.
    const outcome = await runSuite({ suiteFile: join(work, 'custom.suite.ts'), out: join(work, 'reports-custom'), html: false, log: () => undefined });
    expect(outcome.status).toBe('completed');
    expect(outcome.verdict?.passed).toBe(false);
    const mine = outcome.checks.find((c) => c.name === 'my own check');
    expect(mine).toMatchObject({ verdict: 'error', summary: 'the check failed to run: my check broke' });
    expect(mine?.evidence['internalError']).toBeUndefined();
    expect(outcome.checks.find((c) => c.name.startsWith('accuracyAtLeast'))?.verdict).toBe('pass');
  });

  it('from a YAML suite\'s `use:` file runs like a built-in, and its crash is an error verdict naming it, not an internal error', async () => {
    writeFileSync(join(work, 'short-answers.ts'), userCheckModule('shortAnswers', false));
    writeFileSync(join(work, 'broken-check.ts'), userCheckModule('brokenCheck', true));
    writeFileSync(
      join(work, 'uses.yaml'),
      `name: uses
problems:
  - { id: p1, question: What is 17 + 25?, answer: 42 }
maxThinkingTokens: 256
answerTokens: 64
numCtx: 2048
checks:
  - { use: ./short-answers.ts, intervention: baseline, maxAnswerTokens: 64 }
  - { use: ./broken-check.ts, intervention: baseline, maxAnswerTokens: 1, name: mine }
`,
    );
    const outcome = await runSuite({ suiteFile: join(work, 'uses.yaml'), out: join(work, 'reports-uses'), html: false, log: () => undefined });
    expect(outcome.checks.map((c) => [c.name, c.verdict])).toEqual([
      ['shortAnswers(baseline)', 'pass'],
      ['mine', 'error'],
    ]);
    expect(outcome.checks[0]?.evidence).toMatchObject({ n: 1 });
    expect(outcome.checks[1]).toMatchObject({ summary: 'the check failed to run: my module broke', evidence: {} });
  });
});
