import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { validator } from '../core/validate.ts';
import type { GoldenOutcome, LabeledIntervention, ResultRow } from '../results/types.ts';
import type { ClusteredPair } from '../metrics/clustered.ts';
import type { ProblemCounts } from '../metrics/stratified.ts';
import {
  GOLDEN_FORMAT,
  GOLDEN_VERSION,
  GoldenSchema,
  type GoldenAggregate,
  type GoldenEnvironment,
  type GoldenFile,
  type GoldenOutcomeRecord,
} from './schema.ts';

/** A model name as a file name: `sim:sim-qwq` -> `sim_sim-qwq`, `hf.co/x/y:Q4` -> `hf.co_x_y_Q4`. */
export function modelFileName(model: string): string {
  return model.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** `<dir>/<suite>/<model>.json`. */
export function goldenPath(dir: string, suite: string, model: string): string {
  return join(dir, suite, `${modelFileName(model)}.json`);
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}

export interface GoldenInput {
  suite: string;
  model: string;
  environment: GoldenEnvironment;
  interventions: LabeledIntervention[];
  rows: readonly (ResultRow & { answer?: string })[];
  /** ISO time; default now. */
  createdAt?: string;
}

/** Builds a golden file from a run's rows: outcomes sorted for stable diffs, aggregates per intervention in suite order. */
export function buildGolden(input: GoldenInput): GoldenFile {
  const order = new Map(input.interventions.map(({ label }, i) => [label, i]));
  const outcomes: GoldenOutcomeRecord[] = input.rows
    .map((row) => {
      const outcome: GoldenOutcomeRecord = {
        problemId: row.problemId,
        intervention: row.intervention,
        sample: row.sample,
        correct: row.correct,
        thinkingTokens: row.thinkingTokens,
        answerTokens: row.answerTokens,
      };
      if (row.answer !== undefined) outcome.answer = row.answer;
      return outcome;
    })
    .sort(
      (a, b) =>
        (order.get(a.intervention) ?? Infinity) - (order.get(b.intervention) ?? Infinity) ||
        a.intervention.localeCompare(b.intervention) ||
        a.problemId.localeCompare(b.problemId) ||
        a.sample - b.sample,
    );
  const labels = [...new Set(outcomes.map((o) => o.intervention))];
  const aggregates: GoldenAggregate[] = labels.map((label) => {
    const rows = outcomes.filter((o) => o.intervention === label);
    const correct = rows.filter((o) => o.correct).length;
    return {
      intervention: label,
      n: rows.length,
      correct,
      accuracy: rows.length === 0 ? null : correct / rows.length,
      meanThinkingTokens: mean(rows.map((o) => o.thinkingTokens)),
      meanAnswerTokens: mean(rows.map((o) => o.answerTokens)),
    };
  });
  return {
    format: GOLDEN_FORMAT,
    version: GOLDEN_VERSION,
    suite: input.suite,
    model: input.model,
    createdAt: input.createdAt ?? new Date().toISOString(),
    environment: input.environment,
    interventions: input.interventions.map(({ label, intervention }) => ({ label, intervention: { ...intervention } })),
    aggregates,
    outcomes,
  };
}

const validateGolden = validator<GoldenFile>(GoldenSchema);

/** Checks a parsed golden value: schema, then one outcome per problem x intervention x sample. */
export function parseGolden(value: unknown, file: string): GoldenFile {
  const golden = validateGolden(value, file);
  const seen = new Set<string>();
  golden.outcomes.forEach((o, i) => {
    const key = `${o.intervention}\u0000${o.problemId}\u0000${o.sample}`;
    if (seen.has(key)) throw new InputError(`${file}: /outcomes/${i}`, `a second outcome for ${o.problemId} x ${o.intervention} x sample ${o.sample}`);
    seen.add(key);
  });
  return golden;
}

/** Reads a golden file; undefined when there is none. Invalid files are InputErrors naming the problem. */
export async function readGolden(file: string): Promise<GoldenFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw new InputError(file, `cannot be read (${(error as { code?: string }).code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `not valid JSON (${(error as Error).message}); regenerate it with --update-golden`);
  }
  return parseGolden(value, file);
}

/** Writes a golden file atomically (temp file + rename): a crash never leaves half a baseline. */
export async function writeGolden(file: string, golden: GoldenFile): Promise<void> {
  parseGolden(golden, file);
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(golden, null, 2)}\n`, 'utf8');
  await rename(temp, file);
}

export interface Flip {
  problemId: string;
  intervention: string;
  sample: number;
}

export interface InterventionComparison {
  intervention: string;
  /** Problem x samples in both the golden file and the run. */
  pairs: number;
  goldenCorrect: number;
  runCorrect: number;
  /** Right in golden, wrong now. */
  regressed: Flip[];
  /** Wrong in golden, right now. */
  improved: Flip[];
  onlyInGolden: number;
  onlyInRun: number;
  /** Every pair, clustered by problem (a = golden, b = run): what the clustered tests use. */
  clusteredPairs: ClusteredPair[];
  /**
   * Set when the two sides have different samples of some problem (a `samples: 4` run against a
   * `samples: 1` golden): per-problem counts, which the gate tests by problem (stratified
   * permutation) so that every sample counts. `clusteredPairs` then pair each side's samples in
   * turn (a run's four with a golden's one), and the flips are the run samples of problems whose
   * accuracy moved: its wrong samples where it fell, its right ones where it rose.
   */
  byProblem?: ProblemCounts[];
}

type Keyed = { problemId: string; sample: number; correct: boolean };

function groupByProblem<T extends Keyed>(list: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const o of list) {
    const group = groups.get(o.problemId) ?? [];
    group.push(o);
    groups.set(o.problemId, group);
  }
  for (const group of groups.values()) group.sort((a, b) => a.sample - b.sample);
  return groups;
}

/** Whether every problem on both sides has the same sample numbers on each (then pairs are by sample). */
function sameSamples(golden: Map<string, Keyed[]>, run: Map<string, Keyed[]>): boolean {
  for (const [problemId, mine] of run) {
    const theirs = golden.get(problemId);
    if (!theirs) continue;
    if (theirs.length !== mine.length || theirs.some((o, i) => o.sample !== mine[i]!.sample)) return false;
  }
  return true;
}

/** The comparison by problem, for sides with different samples per problem. */
function compareByProblem(label: string, golden: Map<string, Keyed[]>, run: Map<string, Keyed[]>, comparison: InterventionComparison): void {
  const counts: ProblemCounts[] = [];
  for (const [problemId, mine] of run) {
    const theirs = golden.get(problemId);
    if (!theirs) {
      comparison.onlyInRun += mine.length;
      continue;
    }
    const right = (list: Keyed[]) => list.filter((o) => o.correct).length;
    const entry = { problemId, aSamples: theirs.length, aCorrect: right(theirs), bSamples: mine.length, bCorrect: right(mine) };
    counts.push(entry);
    for (let k = 0; k < Math.max(theirs.length, mine.length); k++) {
      const a = theirs[k % theirs.length]!.correct;
      const b = mine[k % mine.length]!.correct;
      comparison.pairs++;
      if (a) comparison.goldenCorrect++;
      if (b) comparison.runCorrect++;
      comparison.clusteredPairs.push({ cluster: problemId, a, b });
    }
    const change = entry.bCorrect / entry.bSamples - entry.aCorrect / entry.aSamples;
    for (const o of mine) {
      const flip = { problemId, intervention: label, sample: o.sample };
      if (change < 0 && !o.correct) comparison.regressed.push(flip);
      if (change > 0 && o.correct) comparison.improved.push(flip);
    }
  }
  for (const [problemId, theirs] of golden) if (!run.has(problemId)) comparison.onlyInGolden += theirs.length;
  comparison.byProblem = counts;
}

/** Pairs a run's rows with golden outcomes per intervention label and lists the flips both ways. */
export function compareWithGolden(
  golden: readonly GoldenOutcome[],
  rows: readonly ResultRow[],
  labels?: readonly string[],
): InterventionComparison[] {
  const chosen = labels ?? [...new Set([...golden.map((o) => o.intervention), ...rows.map((r) => r.intervention)])];
  return chosen.map((label) => {
    const key = (o: { problemId: string; sample: number }) => `${o.problemId}\u0000${o.sample}`;
    const before = new Map(golden.filter((o) => o.intervention === label).map((o) => [key(o), o]));
    const now = rows.filter((r) => r.intervention === label);
    const comparison: InterventionComparison = {
      intervention: label,
      pairs: 0,
      goldenCorrect: 0,
      runCorrect: 0,
      regressed: [],
      improved: [],
      onlyInGolden: 0,
      onlyInRun: 0,
      clusteredPairs: [],
    };
    const goldenGroups = groupByProblem([...before.values()]);
    const runGroups = groupByProblem(now);
    if (!sameSamples(goldenGroups, runGroups)) {
      compareByProblem(label, goldenGroups, runGroups, comparison);
      return sortFlips(comparison);
    }
    const matched = new Set<string>();
    for (const row of now) {
      const old = before.get(key(row));
      if (!old) {
        comparison.onlyInRun++;
        continue;
      }
      matched.add(key(row));
      comparison.pairs++;
      if (old.correct) comparison.goldenCorrect++;
      if (row.correct) comparison.runCorrect++;
      comparison.clusteredPairs.push({ cluster: row.problemId, a: old.correct, b: row.correct });
      const flip = { problemId: row.problemId, intervention: label, sample: row.sample };
      if (old.correct && !row.correct) comparison.regressed.push(flip);
      if (!old.correct && row.correct) comparison.improved.push(flip);
    }
    comparison.onlyInGolden = before.size - matched.size;
    return sortFlips(comparison);
  });
}

/** Natural order (problem 7 before problem 10), as a reader scans a list of ids. */
function sortFlips(comparison: InterventionComparison): InterventionComparison {
  const byId = (a: Flip, b: Flip) => a.problemId.localeCompare(b.problemId, 'en', { numeric: true }) || a.sample - b.sample;
  comparison.regressed.sort(byId);
  comparison.improved.sort(byId);
  return comparison;
}

/** Settings that differ between a golden file's environment and the current run's ("path: golden -> now"). */
export function environmentDifferences(golden: GoldenEnvironment, current: GoldenEnvironment): string[] {
  const differences: string[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      }
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`${path}: ${JSON.stringify(a) ?? 'unset'} -> ${JSON.stringify(b) ?? 'unset'}`);
  };
  walk(golden, current, '');
  return differences;
}
