import type { Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { loadAllProblems } from '../../problems/load.ts';
import { estimateCost, readAnyPrior, type Estimate, type Prior } from '../../runner/estimate.ts';
import { problemFilter } from '../../runner/run-suite.ts';
import { parseLatency } from '../../sim/server/latency.ts';
import { labeledInterventions, loadSuite } from '../../suite/index.ts';
import { integerFlag } from '../flags.ts';

/**
 * `thinkprobe estimate SUITE [--from RUN_DIR]`: what a run will cost before it is started.
 *
 * The plan gives the number of results (problems x samples x interventions). Per result, the
 * cost comes from a prior:
 * - `--from RUN_DIR`: an earlier run's measured cost per intervention (the tree's shared
 *   accounting: new prefill tokens and decoded tokens per result, requests per result from its
 *   store), scaled to this plan;
 * - otherwise the plan alone: an upper bound of maxThinkingTokens + answerTokens generated per
 *   result and at least one request per result (no trace-length prior: said so in the output).
 * Wall time: `--latency` (the simulator's spec, e.g. prefill=0.2ms,decode=30ms) over
 * `--concurrency` slots, else the earlier run's measured wall time per result.
 * The computation is runner/estimate.ts: a run uses the same code to show estimate against actual.
 */

export { estimateCost, readAnyPrior, readGoldenPrior, readPrior, type Estimate, type EstimateInput, type InterventionPrior, type Prior, type ServerProfile } from '../../runner/estimate.ts';

interface EstimateFlags {
  from?: string;
  samples?: string;
  filter?: string;
  latency?: string;
  concurrency: string;
  json?: boolean;
}

function formatMs(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function describe(e: Estimate, prior: Prior | undefined, latency: string | undefined, concurrency: number): string[] {
  const basis =
    prior?.measuredPrompt === false && e.basis !== 'upper-bound'
      ? `generated tokens per result in the golden file ${prior.source} (each as if run alone: an upper bound of shared trees), at least one request per result; prompt tokens unknown${e.unpriced.length > 0 ? `; upper bound for ${e.unpriced.join(', ')}` : ''}`
      : e.basis === 'measured'
      ? `measured per intervention in ${prior?.source}`
      : e.basis === 'upper-bound'
        ? 'no trace-length prior: generated tokens are an upper bound (every trace at maxThinkingTokens + answerTokens), requests a lower bound (pass --from RUN_DIR)'
        : `measured in ${prior?.source}, upper bound for ${e.unpriced.join(', ')}`;
  return [
    `results: ${e.results}`,
    `requests: ${e.basis === 'upper-bound' || prior?.measuredPrompt === false ? 'at least ' : ''}${e.requests}`,
    `prompt tokens (new prefill): ${e.promptTokens ?? 'unknown'}`,
    `generated tokens: ${e.basis === 'upper-bound' ? 'at most ' : ''}${e.generatedTokens}`,
    `wall time: ${e.wallMs === null ? 'unknown (pass --latency or --from)' : `${formatMs(e.wallMs)} on ${concurrency} slot(s)${latency ? ` at ${latency}` : ' at the earlier run\'s measured rates'}`}`,
    `basis: ${basis}`,
  ];
}

/** `thinkprobe estimate SUITE`: requests, tokens and wall time a run will cost. */
export function registerEstimate(program: Command): void {
  program
    .command('estimate')
    .description('Estimate what running a suite will cost: requests, prompt and generated tokens, and wall time.')
    .argument('<suite>', 'suite file (.suite.ts, .json, .yaml)')
    .option('--from <run-dir>', 'an earlier run folder whose measured cost per intervention is the prior, or a golden file (its tokens per result)')
    .option('--samples <n>', "samples per problem and intervention (default: the suite's)")
    .option('--filter <text>', 'only problems whose id contains this text, or matches /regex/')
    .option('--latency <spec>', 'server profile: time per token, e.g. prefill=0.2ms,decode=30ms, or a preset name (the simulator\'s --latency)')
    .option('--concurrency <n>', 'requests in flight (server slots)', '1')
    .option('--json', 'print one JSON line instead')
    .action(async (suiteFile: string, flags: EstimateFlags) => {
      const loaded = await loadSuite(suiteFile);
      const suite = loaded.suite;
      const samples = flags.samples === undefined ? suite.samples : integerFlag('--samples', flags.samples, 1, 10_000);
      const concurrency = integerFlag('--concurrency', flags.concurrency, 1, 4096);
      const latency = parseLatency(flags.latency);
      const problems = (await loadAllProblems(suite.problems, { root: loaded.root })).filter(problemFilter(flags.filter));
      if (problems.length === 0) throw new InputError(flags.filter ? '--filter' : `${suiteFile}: /problems`, 'expected at least one problem');
      const prior = flags.from === undefined ? undefined : readAnyPrior(flags.from);
      const estimate = estimateCost({
        labels: labeledInterventions(suite).map((l) => l.label),
        resultsPerLabel: problems.length * samples,
        maxThinkingTokens: suite.maxThinkingTokens,
        answerTokens: suite.answerTokens,
        prior,
        latency,
        concurrency,
      });
      if (flags.json) process.stdout.write(`${JSON.stringify(estimate)}\n`);
      else process.stdout.write(`${describe(estimate, prior, flags.latency, concurrency).join('\n')}\n`);
    });
}
