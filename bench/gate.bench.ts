/**
 * bench:gate — is the bundled release gate (suites/release-gate.yaml) honest? How it works:
 *   1. Two real runs of the suite's design (its problems, interventions) on the in-process
 *      simulator through the real engine, each problem x sample x intervention graded as
 *      `thinkprobe run` grades it: the suite's model (sim:sim-qwq) with GATE_POOL samples per problem
 *      (default 8, the least that 4-sample pairs need), and the regressed card sim:sim-qwq-minus5
 *      (exactly 5 accuracy points worse in expectation on these interventions: see
 *      src/sim/cards/README.md) with GATE_REGRESSED_POOL samples (default 4) and other seeds.
 *   2. PAIRS independent golden/candidate pairs per condition (default 400): an unchanged model
 *      draws 2m distinct samples of every problem from the base pool, m for the golden and m for the
 *      candidate (src/checks/gate-validation.ts); the regression draws the golden's m from the base
 *      pool and the candidate's m from the regressed card's pool (bench/gate-pairs.ts). Fresh draws
 *      for both sides of every pair, no shared golden; the real noRegression check judges each.
 *   3. Conditions: samples: 1 (exact McNemar) and samples: 4 (the clustered sign-flip test).
 * Resampling pools instead of running 4 x PAIRS x 2 suites keeps this to two suite runs; drawing
 * without replacement keeps the per-problem variance that of independent runs. The regressed pool
 * needs only m samples for the candidate side (its draws decide power, which is far from 0.5, so
 * the fewer distinct candidates cost little precision).
 * Environment: GATE_POOL (>= 8), GATE_REGRESSED_POOL (>= 4), GATE_PAIRS, GATE_SEED, GATE_PROBLEMS
 * (keep every k-th problem, for a quick check only). Last line: one JSON object.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runSuite } from '../src/runner/run-suite.ts';
import { poolFromRows, simulateGate, type GateTrialResult, type OutcomePool } from '../src/checks/gate-validation.ts';
import { simulateAgainst } from './gate-pairs.ts';
import { betaQuantile } from '../src/metrics/distributions.ts';
import type { CheckSpecOf } from '../src/checks/registry.ts';
import type { InterventionSpec } from '../src/suite/schema/interventions.ts';
import type { LabeledIntervention, ResultRow } from '../src/checks/types.ts';

const POOL = Number(process.env['GATE_POOL'] ?? 8);
const REGRESSED_POOL = Number(process.env['GATE_REGRESSED_POOL'] ?? 4);
const REGRESSED_MODEL = 'sim:sim-qwq-minus5';
const EVERY = Number(process.env['GATE_PROBLEMS'] ?? 1);
const PAIRS = Number(process.env['GATE_PAIRS'] ?? 400);
const SEED = Number(process.env['GATE_SEED'] ?? 1);
const suiteFile = new URL('../suites/release-gate.yaml', import.meta.url);

interface RawSuite {
  checks?: Array<{ type: string; [key: string]: unknown }>;
  golden?: unknown;
  samples?: number;
  [key: string]: unknown;
}

const raw = parse(readFileSync(suiteFile, 'utf8')) as RawSuite;
const gateSpec = raw.checks?.find((c) => c.type === 'noRegression');
if (!gateSpec) throw new Error('suites/release-gate.yaml has no noRegression check');
const spec = { test: 'mcnemar', alpha: 0.05, margin: 0.05, ...gateSpec } as CheckSpecOf<'noRegression'>;

const work = mkdtempSync(join(tmpdir(), 'thinkprobe-bench-gate-'));
const started = performance.now();
try {
  const { golden: _golden, checks: _checks, ...design } = raw;
  const runPool = async (model: string | undefined, samples: number, seed: number): Promise<OutcomePool> => {
    const file = join(work, `pool-${seed}.yaml`);
    const problems = (design['problems'] as Array<Record<string, unknown>>).map((p) => ({ ...p, count: Math.max(1, Math.round(Number(p['count']) / EVERY)) }));
    writeFileSync(file, stringify({ ...design, problems, samples, checks: [] }));
    const run = await runSuite({ suiteFile: file, ...(model ? { model } : {}), seed, out: join(work, 'reports'), html: false, fresh: true, log: () => undefined });
    if (!run.data) throw new Error(`the ${model ?? 'base'} pool run did not complete`);
    const labeled: LabeledIntervention[] = run.data.interventions.map((i) => ({ label: i.label, intervention: { type: i.type, ...i.params } as InterventionSpec }));
    const rows: ResultRow[] = run.data.results.map((r) => ({ ...r, capFired: r.capFired ?? false, reflections: [] }));
    return poolFromRows(rows, labeled);
  };
  const describe = (name: string, pool: OutcomePool) =>
    console.log(`${name}: ${pool.problems.length} problems x ${pool.samples} samples; accuracy ${pool.interventions.map((l, k) => `${l.label} ${(pool.accuracy[k]! * 100).toFixed(1)}%`).join(', ')} (${((performance.now() - started) / 1000).toFixed(1)} s so far)`);
  const pool = await runPool(undefined, POOL, SEED);
  describe('pool (sim:sim-qwq)', pool);
  const regressed = await runPool(REGRESSED_MODEL, REGRESSED_POOL, SEED + 7919);
  describe(`regressed pool (${REGRESSED_MODEL})`, regressed);
  const interventions = pool.interventions;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

  const trial = (samples: number, regression: boolean, offset: number): GateTrialResult => {
    const seed = SEED * 1000 + offset;
    const result = regression ? simulateAgainst(pool, regressed, spec, { samples, pairs: PAIRS, seed }) : simulateGate(pool, spec, { samples, drop: 0, pairs: PAIRS, seed });
    const rate = result.alarms / result.pairs;
    console.log(
      `samples ${samples}, ${regression ? REGRESSED_MODEL : 'unchanged model'}: gate fails ${result.alarms}/${result.pairs} = ${rate.toFixed(3)}; observed difference ${result.observedDifference.map((d) => (d * 100).toFixed(2)).join(' / ')} points; gate's detectable drop ${result.detectableDropPoints.toFixed(2)} points`,
    );
    return result;
  };
  const null1 = trial(1, false, 1);
  const alt1 = trial(1, true, 2);
  const null4 = trial(4, false, 3);
  const alt4 = trial(4, true, 4);
  const rate = (r: GateTrialResult) => Number((r.alarms / r.pairs).toFixed(4));
  // One-sided 95% Clopper-Pearson upper bound of the false-alarm rate.
  const upper = (r: GateTrialResult) => Number(betaQuantile(0.95, r.alarms + 1, r.pairs - r.alarms).toFixed(4));
  const figures = {
    false_alarm: rate(null1),
    false_alarm_upper95: upper(null1),
    false_alarm_samples4: rate(null4),
    false_alarm_samples4_upper95: upper(null4),
    power_5pt: rate(alt1),
    power_5pt_samples4: rate(alt4),
    pairs: PAIRS,
    problems: pool.problems.length,
    interventions: interventions.length,
    pool_samples: pool.samples,
    regressed_pool_samples: regressed.samples,
    base_accuracy: Number(mean(pool.accuracy).toFixed(4)),
    regressed_accuracy: Number(mean(regressed.accuracy).toFixed(4)),
    detectable_drop_pts: Number(alt1.detectableDropPoints.toFixed(2)),
    detectable_drop_pts_samples4: Number(alt4.detectableDropPoints.toFixed(2)),
    // The regressed card's drop as the two pools measure it (about 5: the card is calibrated on this suite).
    observed_drop_pts: Number((100 * (mean(pool.accuracy) - mean(regressed.accuracy))).toFixed(2)),
    targets_met: rate(null1) <= 0.05 && rate(null4) <= 0.05 && rate(alt1) >= 0.8 && rate(alt4) >= 0.8,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  console.log(JSON.stringify(figures));
} finally {
  rmSync(work, { recursive: true, force: true });
}
