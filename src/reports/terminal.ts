import chalk from 'chalk';
import type { CheckSummary, RunData } from './run-data.ts';
import { flipLines, gateFlips, TERMINAL_FLIPS } from '../golden/flips.ts';
import { intervalLabel, samplesPerProblem } from '../metrics/format.ts';

/**
 * Model output and suite text may carry escape sequences that rewrite a terminal (cursor moves,
 * title changes, OSC 8 links): show every control character as a visible escape instead.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–';
}

function num(x: number): string {
  return Number.isFinite(x) ? x.toFixed(0) : '–';
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

const MARK: Record<CheckSummary['verdict'], string> = {
  pass: chalk.green('✓'),
  fail: chalk.red('✗'),
  error: chalk.red('!'),
  skipped: chalk.gray('↓'),
};

/** One line under the table: what the two cost columns mean (the HTML report's wording). */
export const COST_LEGEND =
  'cost alone: new prompt tokens + decoded tokens if the intervention ran by itself; in tree: its share of what the run spent, trunks shared between interventions (both per result)';

/** Lines a check wants shown in full when it fails (e.g. the gate's flips), if it carries any. */
function detailLines(check: CheckSummary): string[] {
  const details = (check as CheckSummary & { details?: unknown }).details;
  return Array.isArray(details) ? details.filter((d): d is string => typeof d === 'string') : [];
}

/** A vitest-like summary: quiet when all is well, precise when not (evidence only for failures). */
export function terminalSummary(data: RunData, options: { runDir?: string } = {}): string {
  const out: string[] = [];
  const problems = data.problems.length;
  const samples = new Set(data.results.map((r) => r.sample)).size;
  out.push(
    `${chalk.bold.inverse(' thinkprobe ')} ${terminalSafe(data.run.suite)} · ${terminalSafe(data.run.model)} · ${problems} problems × ${data.interventions.length} interventions × ${samples} sample${samples === 1 ? '' : 's'}`,
    '',
  );
  const width = Math.max(12, ...data.interventions.map((i) => terminalSafe(i.label).length)) + 2;
  out.push(chalk.dim(`  ${pad('intervention', width)}${pad('accuracy', 24)}${pad('thinking', 10)}${pad('answer', 8)}${pad('cost alone', 12)}in tree`));
  for (const i of data.interventions) {
    out.push(
      `  ${pad(terminalSafe(i.label), width)}${pad(`${pct(i.accuracy.estimate)} (${pct(i.accuracy.low)}–${pct(i.accuracy.high)})`, 24)}${pad(num(i.meanThinkingTokens), 10)}${pad(num(i.meanAnswerTokens), 8)}${pad(num(i.costAlone), 12)}${num(i.costShared)}${i.errored ? chalk.red(`  ${i.errored} errored`) : ''}`,
    );
  }
  out.push(chalk.dim(`  ${COST_LEGEND}`));
  out.push(chalk.dim(`  accuracy (low–high): ${intervalLabel(samplesPerProblem(data.results))}`));
  const failedResults = data.results.filter((r) => r.error);
  if (failedResults.length > 0) {
    out.push(
      '',
      chalk.red(` ! ${failedResults.length} of ${data.results.length} results errored and are left out of accuracy and checks; first: ${terminalSafe(failedResults[0]?.error ?? '')}`),
    );
  }
  if (data.checks.length > 0) out.push('');
  for (const check of data.checks) {
    const failed = check.verdict === 'fail' || check.verdict === 'error';
    out.push(` ${MARK[check.verdict]} ${failed ? chalk.red(terminalSafe(check.name)) : terminalSafe(check.name)}  ${chalk.dim(terminalSafe(check.summary))}`);
    if (failed) for (const line of flipLines(gateFlips(check.evidence), TERMINAL_FLIPS)) out.push(`     ${terminalSafe(line)}`);
    if (failed && check.counterexample !== undefined) out.push(chalk.yellow(`     minimal counterexample: ${terminalSafe(JSON.stringify(check.counterexample))}`));
    // A check's own detail lines (the gate's flip list) are shown in full, not cut like raw evidence.
    if (failed) for (const line of detailLines(check)) out.push(chalk.yellow(`     ${terminalSafe(line)}`));
    if (failed && check.evidence !== undefined) {
      const evidence = terminalSafe(JSON.stringify(check.evidence));
      out.push(chalk.dim(`     evidence: ${evidence.length > 400 ? `${evidence.slice(0, 400)}…` : evidence}`));
    }
  }
  const counts = { pass: 0, fail: 0, error: 0, skipped: 0 };
  for (const check of data.checks) counts[check.verdict] += 1;
  const parts = [
    counts.fail + counts.error > 0 ? chalk.red.bold(`${counts.fail + counts.error} failed`) : '',
    counts.pass > 0 ? chalk.green.bold(`${counts.pass} passed`) : '',
    counts.skipped > 0 ? chalk.gray(`${counts.skipped} skipped`) : '',
  ].filter(Boolean);
  out.push('', ` ${chalk.dim('Checks')}  ${parts.join(chalk.dim(' | ')) || 'none'} ${chalk.gray(`(${data.checks.length})`)}`);
  if (data.verdict && !data.verdict.passed && counts.fail + counts.error === 0) out.push(` ${chalk.red.bold(terminalSafe(data.verdict.headline))}`);
  if (options.runDir) out.push(` ${chalk.dim('Report')}  ${options.runDir}`);
  return `${out.join('\n')}\n`;
}
