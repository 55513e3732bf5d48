import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import type { LatencySpec } from '../sim/server/latency.ts';
import { openStore } from '../store/sqlite-store.ts';

/**
 * What a run will cost, from its plan and a prior (an earlier run's measured cost per
 * intervention, a golden file's tokens per result, or the plan alone as a bound). Shared by
 * `thinkprobe estimate` (cli/commands/estimate.ts) and the run itself (estimate-pass.ts), which
 * reports the estimate against what it spent.
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
