import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { ExitCode, InputError } from '../../core/errors.ts';
import { readGolden } from '../../golden/golden.ts';
import { planGate, type GatePlan, type PlanOutcome } from '../../golden/power-plan.ts';
import { terminalSafe } from '../../reports/terminal.ts';
import { loadRun } from '../../runner/load-run.ts';

function probability(flag: string, value: string, low: number, high: number): number {
  const x = Number(value);
  if (!(Number.isFinite(x) && x > low && x < high)) throw new InputError(flag, `expected a number between ${low} and ${high}, got "${value}"`);
  return x;
}

async function outcomesOf(source: string): Promise<PlanOutcome[]> {
  let isDir: boolean;
  try {
    isDir = statSync(source).isDirectory();
  } catch {
    throw new InputError(source, 'expected a golden file (golden/<suite>/<model>.json) or a finished run folder');
  }
  if (isDir) return loadRun(source).data.results.map((r) => ({ problemId: r.problemId, intervention: r.intervention, correct: r.correct }));
  const golden = await readGolden(source);
  if (!golden) throw new InputError(source, 'expected a golden file');
  return golden.outcomes.map((o) => ({ problemId: o.problemId, intervention: o.intervention, correct: o.correct }));
}

const METHOD: Record<string, string> = {
  within: 'within-problem variance from the samples',
  discordance: 'from discordant pairs',
  'upper-bound': 'one sample per problem: upper bound p(1-p), the drop may be smaller',
};

function describe(source: string, plan: GatePlan): string[] {
  const lines = [
    `${source}: ${plan.interventions.length} intervention(s), alpha ${plan.alpha} (${plan.alphaPerTest.toPrecision(3)} each, one-sided), ${Math.round(plan.power * 100)}% power`,
    ...plan.interventions.map(
      (i) =>
        `  ${i.intervention}: ${i.problems} problems x ${Number(i.samples.toFixed(2))} sample(s), accuracy ${(i.accuracy * 100).toFixed(1)}%, detects a drop of >= ${i.detectableDrop.toFixed(1)} points (${METHOD[i.variance.method]})`,
    ),
    plan.sentence,
  ];
  if (plan.plan) {
    lines.push(`to detect a drop of ${plan.plan.detect} points with ${Math.round(plan.power * 100)}% power: ${plan.plan.options.map((o) => `${o.problems} problems x ${o.samples} sample(s)`).join(', ')}`);
  }
  return lines;
}

/** `thinkprobe power <golden-or-run>`: the regression a gate detects, and the size a given one needs. */
export function registerPower(program: Command): void {
  program
    .command('power')
    .description('What regression a release gate detects with 80% power, and how many problems and samples a given drop needs.')
    .argument('<golden-or-run>', 'a golden file (golden/<suite>/<model>.json) or a finished run folder')
    .option('--alpha <p>', "the gate's alpha, split over its interventions", '0.05')
    .option('--power <p>', 'the power wanted', '0.8')
    .option('--detect <points>', 'plan problems and samples to detect a drop of this many accuracy points')
    .option('--json', 'print one JSON object instead of text')
    .action(async (source: string, flags: { alpha: string; power: string; detect?: string; json?: boolean }) => {
      const alpha = probability('--alpha', flags.alpha, 0, 0.5);
      const power = probability('--power', flags.power, 0.5, 1);
      const detect = flags.detect === undefined ? undefined : probability('--detect', flags.detect, 0, 100);
      const outcomes = await outcomesOf(source);
      if (outcomes.length === 0) throw new InputError(source, 'expected graded outcomes, found none');
      const plan = planGate(outcomes, { alpha, power, ...(detect === undefined ? {} : { detect }) });
      if (flags.json) process.stdout.write(`${JSON.stringify(plan)}\n`);
      else for (const line of describe(source, plan)) process.stdout.write(`${terminalSafe(line)}\n`);
      process.exitCode = ExitCode.ok;
    });
}
