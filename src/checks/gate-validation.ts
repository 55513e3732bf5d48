import { noRegression, type NoRegressionSpec } from './noRegression.ts';
import type { GoldenOutcome, LabeledIntervention, ResultRow } from './types.ts';
import { seededRandom } from '../core/random.ts';

/**
 * The release gate validated by resampling real outcomes: a pool of one run with many samples per
 * problem (every problem x sample graded under every intervention by the real engine) stands for
 * the model; each golden/candidate pair draws 2m distinct samples of every problem, the first m
 * for the golden and the other m for the candidate, so the two sides of a pair never share an
 * outcome (independent runs of the same model) and every pair draws afresh (no shared golden).
 * Drawing without replacement from S pooled samples makes a per-problem difference's variance
 * exactly that of independent runs (the hypergeometric correction S/(S-1) cancels the p-hat
 * bias (S-1)/S), so the pool's finite size does not flatter the gate.
 *
 * A regression of `drop` accuracy points is made relative to the base model per intervention: each
 * right candidate answer turns wrong with probability drop / accuracy(intervention), so every
 * intervention loses exactly `drop` in expectation whatever the base model's accuracy, and
 * problems lose in proportion to how often they were right.
 */

export interface OutcomePool {
  problems: string[];
  interventions: LabeledIntervention[];
  /** Samples per problem (the smallest over problems and interventions). */
  samples: number;
  /** outcomes[problem][sample][intervention] */
  outcomes: boolean[][][];
  /** Pooled accuracy per intervention. */
  accuracy: number[];
}

export function poolFromRows(rows: readonly ResultRow[], interventions: LabeledIntervention[]): OutcomePool {
  const problems = [...new Set(rows.map((r) => r.problemId))];
  const problemIndex = new Map(problems.map((p, i) => [p, i]));
  const labelIndex = new Map(interventions.map((l, i) => [l.label, i]));
  const outcomes: boolean[][][] = problems.map(() => []);
  const right = interventions.map(() => 0);
  const seen = interventions.map(() => 0);
  for (const row of rows) {
    const p = problemIndex.get(row.problemId);
    const k = labelIndex.get(row.intervention);
    if (p === undefined || k === undefined) continue;
    const bySample = (outcomes[p]![row.sample] ??= []);
    bySample[k] = row.correct;
    seen[k]!++;
    if (row.correct) right[k]!++;
  }
  const samples = Math.min(...outcomes.map((s) => s.filter((o) => o.filter((x) => x !== undefined).length === interventions.length).length));
  return { problems, interventions, samples, outcomes, accuracy: right.map((r, k) => r / Math.max(1, seen[k]!)) };
}

export interface GateTrial {
  /** Samples per problem on each side. */
  samples: number;
  /** Accuracy points (a fraction) the candidate loses on every intervention; 0 for an unchanged model. */
  drop: number;
  pairs: number;
  seed: number;
}

export interface GateTrialResult {
  pairs: number;
  alarms: number;
  /** Mean candidate minus golden accuracy per intervention, over all pairs (about -drop). */
  observedDifference: number[];
  /** Mean of the gate's own detectable-drop estimate (points) over the pairs. */
  detectableDropPoints: number;
}

function shuffledPrefix(n: number, k: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, k);
}

function drawPair(pool: OutcomePool, trial: GateTrial, random: () => number): { golden: GoldenOutcome[]; rows: ResultRow[] } {
  const golden: GoldenOutcome[] = [];
  const rows: ResultRow[] = [];
  const flip = pool.accuracy.map((a) => (a > 0 ? Math.min(1, trial.drop / a) : 0));
  pool.problems.forEach((problemId, p) => {
    const chosen = shuffledPrefix(pool.samples, 2 * trial.samples, random);
    chosen.forEach((s, j) => {
      const sample = j % trial.samples;
      pool.interventions.forEach(({ label }, k) => {
        const correct = pool.outcomes[p]![s]![k]!;
        if (j < trial.samples) {
          golden.push({ problemId, intervention: label, sample, correct });
        } else {
          const regressed = correct && random() < flip[k]!;
          rows.push({ problemId, intervention: label, sample, correct: correct && !regressed, thinkingTokens: 0, answerTokens: 0, capFired: false, confidence: [], reflections: [] });
        }
      });
    });
  });
  return { golden, rows };
}

/** Runs the real noRegression check on `trial.pairs` independent golden/candidate pairs drawn from the pool. */
export function simulateGate(pool: OutcomePool, spec: NoRegressionSpec, trial: GateTrial): GateTrialResult {
  if (2 * trial.samples > pool.samples) throw new Error(`the pool has ${pool.samples} samples per problem; ${trial.samples}-sample pairs need ${2 * trial.samples}`);
  const random = seededRandom(trial.seed);
  let alarms = 0;
  let detectable = 0;
  const difference = pool.interventions.map(() => 0);
  for (let r = 0; r < trial.pairs; r++) {
    const { golden, rows } = drawPair(pool, trial, random);
    const result = noRegression(spec, { rows, interventions: pool.interventions, golden: { file: 'pair', outcomes: golden }, seed: r }, 'noRegression');
    if (result.verdict === 'fail') alarms++;
    detectable += Number(result.evidence['detectableDropPoints'] ?? Number.NaN);
    pool.interventions.forEach(({ label }, k) => {
      const mean = (list: { intervention: string; correct: boolean }[]) => {
        const mine = list.filter((o) => o.intervention === label);
        return mine.filter((o) => o.correct).length / Math.max(1, mine.length);
      };
      difference[k]! += mean(rows) - mean(golden);
    });
  }
  return {
    pairs: trial.pairs,
    alarms,
    observedDifference: difference.map((d) => d / trial.pairs),
    detectableDropPoints: detectable / trial.pairs,
  };
}
