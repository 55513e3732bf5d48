/**
 * thinkprobe inside vitest: `suiteTests('./my.suite.ts')` in a test file turns the suite into one
 * describe block with one test per check, so a project that already runs vitest gates on its
 * suites there. The suite runs once, before its tests; a failing check fails its test with the
 * check's summary and evidence as the message.
 */
import { beforeAll, describe, it } from 'vitest';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkName, type CheckResult } from './checks/index.ts';
import { terminalSafe } from './reports/terminal.ts';
import { runSuite, type RunSuiteOptions, type RunSuiteOutcome } from './runner/run-suite.ts';
import { loadSuite } from './suite/load.ts';

export interface SuiteTestsOptions extends Omit<RunSuiteOptions, 'suiteFile' | 'log' | 'onProgress' | 'updateGolden'> {
  /** How long the whole suite may run, in ms (default 10 minutes). */
  timeout?: number;
  /** Progress lines of the run (default: none). */
  log?: (line: string) => void;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** A suite given as a path (relative to the working directory) or a file URL (`new URL('./x.suite.ts', import.meta.url)`). */
function suitePath(suite: string | URL): string {
  if (suite instanceof URL) return fileURLToPath(suite);
  if (suite.startsWith('file:')) return fileURLToPath(suite);
  return isAbsolute(suite) ? suite : resolve(suite);
}

/** The failure message of a check: what failed, and the evidence the check collected. */
export function checkFailureMessage(result: CheckResult): string {
  const lines = [`${result.name}: ${result.verdict}: ${result.summary}`, `evidence: ${JSON.stringify(result.evidence, null, 2)}`];
  if (result.counterexample !== undefined) lines.push(`counterexample: ${JSON.stringify(result.counterexample, null, 2)}`);
  // Evidence can quote model output: keep it from driving the terminal.
  return terminalSafe(lines.join('\n'));
}

/** Test names must be unique within a describe block; a repeated check name gets its position. */
function uniqueNames(names: string[]): string[] {
  return names.map((name, i) => (names.indexOf(name) === i && names.lastIndexOf(name) === i ? name : `${name} [#${i + 1}]`));
}

/** Registers the suite's checks as vitest tests. Call it at the top level of a test file. */
export function suiteTests(suite: string | URL, options: SuiteTestsOptions = {}): void {
  const file = suitePath(suite);
  const { timeout = DEFAULT_TIMEOUT_MS, log = () => undefined, ...runOptions } = options;
  describe(`thinkprobe suite ${file}`, async () => {
    const { suite: loaded } = await loadSuite(file);
    const names = uniqueNames(loaded.checks.map(checkName));
    let outcome: RunSuiteOutcome | undefined;
    beforeAll(async () => {
      outcome = await runSuite({ html: false, ...runOptions, suiteFile: file, log });
    }, timeout);
    if (names.length === 0) {
      it.skip(`${loaded.name}: the suite has no checks`, () => undefined);
      return;
    }
    names.forEach((name, i) => {
      it(name, (context) => {
        if (!outcome || outcome.status !== 'completed') throw new Error(`the run was interrupted; finished work is kept in ${outcome?.runDir ?? 'its run folder'}`);
        const result = outcome.checks[i];
        if (!result) throw new Error(`the run reported no result for check "${name}"`);
        if (result.verdict === 'skipped') return context.skip(terminalSafe(result.summary));
        if (result.verdict !== 'pass') throw new Error(checkFailureMessage(result));
      });
    });
  });
}
