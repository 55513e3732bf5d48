import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { loadAllProblems } from '../../problems/load.ts';
import { problemFilter } from '../../runner/run-suite.ts';
import { parseLatency, type LatencySpec } from '../../sim/server/latency.ts';
import { openStore } from '../../store/sqlite-store.ts';
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
 */

/** A latency spec or preset; `slowdownPerSlot`: extra decode time per additional busy slot (the simulator's presets). */
export type ServerProfile = LatencySpec & { slowdownPerSlot?: number };

export interface InterventionPrior {
  prefill: number;
  decoded: number;
  wallMs: number;
}

export interface Prior {
  /** Mean cost per result, by intervention label. */
  byLabel: Map<string, InterventionPrior>;
  requestsPerResult: number;
  source: string;
  /** False for a golden file: it records generated tokens only, so prompt tokens and wall time stay unknown. */
  measuredPrompt?: boolean;
}

export interface EstimateInput {
  labels: string[];
  /** problems x samples */
  resultsPerLabel: number;
  maxThinkingTokens: number;
  answerTokens: number;
  prior: Prior | undefined;
  latency: ServerProfile | undefined;
  concurrency: number;
}

export interface Estimate {
  results: number;
  requests: number;
  /** null when no label had a prior (the plan alone cannot say). */
  promptTokens: number | null;
  generatedTokens: number;
  wallMs: number | null;
  /** 'measured' (every label had a prior), 'upper-bound' (none), 'mixed'. */
  basis: 'measured' | 'upper-bound' | 'mixed';
  unpriced: string[];
}

/** Pure: the plan's size times the prior's cost per result. */
export function estimateCost(input: EstimateInput): Estimate {
  const n = input.resultsPerLabel;
  let prompt = 0;
  let generated = 0;
  let wall = 0;
  const unpriced: string[] = [];
  for (const label of input.labels) {
    const known = input.prior?.byLabel.get(label);
    if (known) {
      prompt += n * known.prefill;
      generated += n * known.decoded;
      wall += n * known.wallMs;
    } else {
      unpriced.push(label);
      generated += n * (input.maxThinkingTokens + input.answerTokens);
    }
  }
  const results = n * input.labels.length;
  const requests = Math.ceil(results * (input.prior?.requestsPerResult ?? 1));
  const latency = input.latency;
  const promptKnown = input.prior?.measuredPrompt !== false;
  const wallMs = latency
    ? (prompt * latency.prefillMsPerToken + generated * latency.decodeMsPerToken * (1 + (latency.slowdownPerSlot ?? 0) * (input.concurrency - 1))) / input.concurrency
    : unpriced.length === 0 && promptKnown
      ? wall / input.concurrency
      : null;
  const basis = unpriced.length === 0 ? 'measured' : unpriced.length === input.labels.length ? 'upper-bound' : 'mixed';
  return {
    results,
    requests,
    promptTokens: basis === 'upper-bound' || !promptKnown ? null : Math.round(prompt),
    generatedTokens: Math.round(generated),
    wallMs: wallMs === null ? null : Math.round(wallMs),
    basis,
    unpriced,
  };
}

interface CostRow {
  intervention?: unknown;
  cost?: { tree?: { prefill?: unknown; decoded?: unknown; wallMs?: unknown } };
}

/** Mean shared cost per result and label, from an earlier run folder's results.jsonl and store. */
export function readPrior(runDir: string): Prior {
  const file = join(runDir, 'results.jsonl');
  if (!existsSync(file)) throw new InputError(`--from ${runDir}`, 'expected a finished run folder with results.jsonl');
  const sums = new Map<string, InterventionPrior & { n: number }>();
  let rows = 0;
  for (const [i, line] of readFileSync(file, 'utf8').split('\n').entries()) {
    if (line.trim() === '') continue;
    let row: CostRow;
    try {
      row = JSON.parse(line) as CostRow;
    } catch {
      throw new InputError(`${file}:${i + 1}`, 'expected one JSON result per line');
    }
    const tree = row.cost?.tree;
    const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
    if (typeof row.intervention !== 'string' || !tree) throw new InputError(`${file}:${i + 1}`, 'expected intervention and cost.tree fields');
    const sum = sums.get(row.intervention) ?? { prefill: 0, decoded: 0, wallMs: 0, n: 0 };
    sum.prefill += num(tree.prefill);
    sum.decoded += num(tree.decoded);
    sum.wallMs += num(tree.wallMs);
    sum.n++;
    sums.set(row.intervention, sum);
    rows++;
  }
  if (rows === 0) throw new InputError(file, 'expected at least one result');
  const byLabel = new Map([...sums].map(([label, s]) => [label, { prefill: s.prefill / s.n, decoded: s.decoded / s.n, wallMs: s.wallMs / s.n }]));
  const storeFile = join(runDir, 'store.sqlite');
  let requests = rows;
  if (existsSync(storeFile)) {
    const store = openStore(storeFile);
    try {
      requests = store.cacheStats().entries;
    } finally {
      store.close();
    }
  }
  return { byLabel, requestsPerResult: requests / rows, source: runDir };
}

/**
 * Generated tokens per result and label from a golden file's outcomes (thinking + answer tokens):
 * each result as if run alone, so an upper bound of what shared trace trees spend.
 */
export function readGoldenPrior(file: string): Prior {
  let golden: { outcomes?: unknown };
  try {
    golden = JSON.parse(readFileSync(file, 'utf8')) as { outcomes?: unknown };
  } catch (error) {
    throw new InputError(`--from ${file}`, `expected a golden JSON file (${(error as Error).message.split('\n')[0]})`);
  }
  if (!Array.isArray(golden.outcomes) || golden.outcomes.length === 0) throw new InputError(`--from ${file}`, 'expected a golden file with outcomes');
  const sums = new Map<string, { decoded: number; n: number }>();
  for (const [i, o] of (golden.outcomes as Record<string, unknown>[]).entries()) {
    const { intervention, thinkingTokens, answerTokens } = o ?? {};
    if (typeof intervention !== 'string' || typeof thinkingTokens !== 'number' || typeof answerTokens !== 'number') {
      throw new InputError(`${file}: /outcomes/${i}`, 'expected intervention, thinkingTokens and answerTokens');
    }
    const sum = sums.get(intervention) ?? { decoded: 0, n: 0 };
    sum.decoded += thinkingTokens + answerTokens;
    sum.n++;
    sums.set(intervention, sum);
  }
  const byLabel = new Map([...sums].map(([label, s]) => [label, { prefill: 0, decoded: s.decoded / s.n, wallMs: 0 }]));
  return { byLabel, requestsPerResult: 1, source: file, measuredPrompt: false };
}

/** `--from`: a run folder, or a golden file. */
export function readAnyPrior(from: string): Prior {
  return from.endsWith('.json') && existsSync(from) && !existsSync(join(from, 'results.jsonl')) ? readGoldenPrior(from) : readPrior(from);
}

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
