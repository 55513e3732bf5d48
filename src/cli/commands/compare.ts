import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ExitCode, InputError } from '../../core/errors.ts';
import { compareRuns } from '../../reports/compare.ts';
import { buildHtmlReport } from '../../reports/html/build.ts';
import { terminalSafe } from '../../reports/terminal.ts';
import { loadRun } from '../../runner/load-run.ts';

/** `thinkprobe compare <run-a> <run-b>`: B against A on the same problems, side by side. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('Compare two runs on the same problems: paired differences, flips, and a side-by-side report.')
    .argument('<run-a>', 'the reference run folder (e.g. the current model)')
    .argument('<run-b>', 'the candidate run folder')
    .option('--out <file>', 'where to write the HTML report (default: <run-b>/compare-<run-a-id>.html)')
    .option('--alpha <p>', 'significance level of the one-sided paired test (McNemar; the clustered sign-flip test with samples; the permutation test stratified by problem when the runs have different samples per problem)', '0.05')
    .action(async (dirA: string, dirB: string, flags: { out?: string; alpha: string }) => {
      const alpha = Number(flags.alpha);
      if (!(Number.isFinite(alpha) && alpha > 0 && alpha < 1)) throw new InputError('--alpha', `expected a probability between 0 and 1, got "${flags.alpha}"`);
      const a = loadRun(dirA).data;
      const b = loadRun(dirB).data;
      const { data } = compareRuns(a, b, { alpha, names: { a: dirA, b: dirB } });
      const file = flags.out ?? join(dirB, `compare-${basename(dirA)}.html`);
      try {
        writeFileSync(file, await buildHtmlReport(data));
      } catch (error) {
        throw new InputError(`--out ${file}`, `expected a file path thinkprobe can write (${(error as { code?: string }).code ?? (error as Error).message})`);
      }
      for (const check of data.checks) process.stdout.write(`${check.verdict === 'fail' ? '✗' : check.verdict === 'pass' ? '✓' : '↓'} ${terminalSafe(check.name)}  ${terminalSafe(check.summary)}\n`);
      process.stdout.write(`${file}\n`);
      process.exitCode = data.checks.some((c) => c.verdict === 'fail') ? ExitCode.checkFailed : ExitCode.ok;
    });
}
