import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { terminalSummary } from '../../src/reports/terminal.ts';
import { runSuite } from '../../src/runner/run-suite.ts';

/** A suite whose `long` problem cannot fit num_ctx: its result errors, `short`'s does not. */
function errorSuite(work: string, extra: Record<string, unknown>): string {
  const suiteFile = join(work, `errors-${Object.keys(extra).join('-') || 'plain'}.suite.json`);
  writeFileSync(
    suiteFile,
    JSON.stringify({
      name: 'errors',
      numCtx: 1600,
      maxThinkingTokens: 1000,
      answerTokens: 100,
      problems: [
        { id: 'short', question: 'What is 25 + 17?', answer: '42' },
        { id: 'long', question: `What is 25 + 17? ${'Think about the numbers carefully. '.repeat(300)}`, answer: '42' },
      ],
      interventions: [{ type: 'baseline' }],
      checks: [{ type: 'accuracyAtLeast', intervention: 'baseline', min: 0 }],
      ...extra,
    }),
  );
  return suiteFile;
}

describe('a result that cannot be produced', () => {
  const work = mkdtempSync(join(tmpdir(), 'thinkprobe-run-errors-'));

  it('is named in results.jsonl, summary.md, junit.xml and the terminal, left out of metrics and checks, and fails the run', async () => {
    chalk.level = 0;
    const outcome = await runSuite({ suiteFile: errorSuite(work, {}), out: join(work, 'reports'), html: false, log: () => undefined });
    expect(outcome.status).toBe('completed');
    const rows = readFileSync(join(outcome.runDir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { problemId: string; correct: boolean; error?: string });
    const long = rows.find((r) => r.problemId === 'long');
    expect(long?.correct).toBe(false);
    expect(long?.error).toMatch(/^problem long: .*(num_ctx|context length)/);
    expect(rows.find((r) => r.problemId === 'short')?.error).toBeUndefined();
    const baseline = outcome.data!.interventions[0]!;
    // Metrics cover the produced result only, and say how many were left out.
    expect(baseline.n).toBe(1);
    expect(baseline.errored).toBe(1);
    expect(baseline.meanThinkingTokens).toBe(outcome.data!.results.find((r) => r.problemId === 'short')!.thinkingTokens);
    expect(terminalSummary(outcome.data!)).toContain('1 of 2 results errored and are left out of accuracy and checks; first: problem long:');

    // The check passes on what exists, says what it left out; the run fails on the errored result.
    const accuracy = outcome.checks.find((c) => c.name.startsWith('accuracyAtLeast'));
    expect(accuracy?.verdict).toBe('pass');
    expect(accuracy?.summary).toContain('(1 errored result left out)');
    expect(outcome.checks.find((c) => c.name.startsWith('errorRate'))).toMatchObject({ verdict: 'fail', summary: '1 of 2 results errored (50.0%); the suite allows none (maxErrorRate 0)' });
    expect(outcome.verdict?.passed).toBe(false);

    const summary = readFileSync(join(outcome.runDir, 'summary.md'), 'utf8');
    expect(summary).not.toMatch(/All \d+ checks hold/);
    expect(summary).toContain('**1 of 2 checks failed.** 1 of 2 results errored.');
    expect(summary).toContain('### Errored results (1)');
    expect(summary).toMatch(/\| long \| baseline \| 0 \| problem long: /);

    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(outcome.runDir, 'junit.xml'), 'utf8')) as {
      testsuites: { '@_errors': string; testsuite: { testcase: { '@_name': string; error?: { '@_message': string }; failure?: unknown }[] } };
    };
    expect(Number(junit.testsuites['@_errors'])).toBeGreaterThanOrEqual(1);
    const errored = junit.testsuites.testsuite.testcase.filter((c) => c.error !== undefined);
    expect(errored.map((c) => c['@_name'])).toEqual(['long | baseline | sample 0']);
    expect(errored[0]?.error?.['@_message']).toMatch(/^problem long: /);
  });

  it('passes when the suite allows the error rate, and says so', async () => {
    const outcome = await runSuite({ suiteFile: errorSuite(work, { maxErrorRate: 0.5 }), out: join(work, 'reports-allowed'), html: false, log: () => undefined });
    expect(outcome.verdict?.passed).toBe(true);
    expect(outcome.checks.find((c) => c.name.startsWith('errorRate'))).toMatchObject({ verdict: 'pass', summary: '1 of 2 results errored (50.0%); the suite allows 50.0% (maxErrorRate)' });
    const summary = readFileSync(join(outcome.runDir, 'summary.md'), 'utf8');
    expect(summary).toContain('**All 2 checks hold.** 1 of 2 results errored.');
    expect(summary).toContain('### Errored results (1)');
  });

  it('does not pass a run in which no check could be evaluated', async () => {
    const outcome = await runSuite({
      suiteFile: errorSuite(work, { checks: [{ type: 'budgetRespected' }], problems: [{ id: 'short', question: 'What is 25 + 17?', answer: '42' }] }),
      out: join(work, 'reports-skipped'),
      html: false,
      log: () => undefined,
    });
    expect(outcome.checks.map((c) => c.verdict)).toEqual(['skipped']);
    expect(outcome.verdict).toEqual({ passed: false, headline: 'No check could be evaluated (all 1 skipped).' });
    expect(readFileSync(join(outcome.runDir, 'summary.md'), 'utf8')).toContain('**No check could be evaluated (all 1 skipped).**');
  });
});
