/**
 * bench:gate — is the bundled release gate (suites/release-gate.yaml) honest? How it works:
 *   1. One real run of the suite's design (its problems, interventions, model card) on the
 *      in-process simulator through the real engine, with POOL samples per problem (default 10):
 *      every problem x sample x intervention graded as `thinkprobe run` grades it.
 *   2. PAIRS independent golden/candidate pairs per condition (default 400): each pair draws 2m
 *      distinct samples of every problem from the pool, m for the golden, m for the candidate
 *      (fresh draws for both sides of every pair, no shared golden), and runs the real
 *      noRegression check on them (src/checks/gate-validation.ts).
 *   3. Conditions: an unchanged model (false alarms) and a model exactly 5 accuracy points worse on
 *      every intervention (power), each with samples: 1 (exact McNemar) and samples: 4 (the
 *      clustered sign-flip test). The 5-point regression is defined relative to the base model:
 *      each right candidate answer turns wrong with probability 0.05 / accuracy(intervention),
 *      so it stays exactly 5 points whatever the simulator card's accuracy.
 * Resampling a pool instead of running 4 x PAIRS x 2 suites keeps this to one suite run (minutes
 * on 2 cores); drawing without replacement keeps the per-problem variance that of independent runs.
 * Environment: GATE_POOL (samples per problem, >= 8), GATE_PAIRS, GATE_SEED. Last line: one JSON object.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runSuite } from '../src/runner/run-suite.ts';
import { poolFromRows, simulateGate, type GateTrialResult } from '../src/checks/gate-validation.ts';
import { betaQuantile } from '../src/metrics/distributions.ts';
import type { CheckSpecOf } from '../src/checks/registry.ts';
import type { InterventionSpec } from '../src/suite/schema/interventions.ts';
import type { LabeledIntervention, ResultRow } from '../src/checks/types.ts';

const POOL = Number(process.env['GATE_POOL'] ?? 10);
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
  const scratch = join(work, 'release-gate.yaml');
  const { golden: _golden, checks: _checks, ...design } = raw;
  writeFileSync(scratch, stringify({ ...design, samples: POOL, checks: [] }));
  const run = await runSuite({ suiteFile: scratch, seed: SEED, out: join(work, 'reports'), html: false, fresh: true, log: () => undefined });
  if (!run.data) throw new Error('the pool run did not complete');
  const interventions: LabeledIntervention[] = run.data.interventions.map((i) => ({ label: i.label, intervention: { type: i.type, ...i.params } as InterventionSpec }));
  const rows: ResultRow[] = run.data.results.map((r) => ({ ...r, capFired: r.capFired ?? false, reflections: [] }));
  const pool = poolFromRows(rows, interventions);
  const poolSeconds = (performance.now() - started) / 1000;
  console.log(`pool: ${pool.problems.length} problems x ${pool.samples} samples x ${interventions.length} interventions in ${poolSeconds.toFixed(1)} s`);
  console.log(`accuracy: ${interventions.map((l, k) => `${l.label} ${(pool.accuracy[k]! * 100).toFixed(1)}%`).join(', ')}`);

  const trial = (samples: number, drop: number, offset: number): GateTrialResult => {
    const result = simulateGate(pool, spec, { samples, drop, pairs: PAIRS, seed: SEED * 1000 + offset });
    const rate = result.alarms / result.pairs;
    console.log(
      `samples ${samples}, drop ${(drop * 100).toFixed(0)} points: gate fails ${result.alarms}/${result.pairs} = ${rate.toFixed(3)}; observed difference ${result.observedDifference.map((d) => (d * 100).toFixed(2)).join(' / ')} points; gate's detectable drop ${result.detectableDropPoints.toFixed(2)} points`,
    );
    return result;
  };
  const null1 = trial(1, 0, 1);
  const alt1 = trial(1, 0.05, 2);
  const null4 = trial(4, 0, 3);
  const alt4 = trial(4, 0.05, 4);
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
    detectable_drop_pts: Number(alt1.detectableDropPoints.toFixed(2)),
    detectable_drop_pts_samples4: Number(alt4.detectableDropPoints.toFixed(2)),
    observed_drop_pts: Number((-100 * (alt1.observedDifference.reduce((a, b) => a + b, 0) / interventions.length)).toFixed(2)),
    targets_met: rate(null1) <= 0.05 && rate(null4) <= 0.05 && rate(alt1) >= 0.8 && rate(alt4) >= 0.8,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  console.log(JSON.stringify(figures));
} finally {
  rmSync(work, { recursive: true, force: true });
}
