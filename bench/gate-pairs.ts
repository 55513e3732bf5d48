import { noRegression } from '../src/checks/noRegression.ts';
import type { OutcomePool, GateTrialResult } from '../src/checks/gate-validation.ts';
import type { GoldenOutcome, ResultRow } from '../src/checks/types.ts';
import { seededRandom } from '../src/core/random.ts';
import type { CheckSpecOf } from '../src/checks/registry.ts';

/**
 * Power on real candidate runs: each pair's golden draws `samples` samples per problem from the
 * base card's pool and its candidate draws `samples` from the regressed card's own pool (another
 * run, other seeds), both afresh for every pair and without replacement within a pair, so no pair
 * shares a golden and each side has the variance of an independent run of its model.
 */
export function simulateAgainst(base: OutcomePool, regressed: OutcomePool, spec: CheckSpecOf<'noRegression'>, trial: { samples: number; pairs: number; seed: number }): GateTrialResult {
  if (trial.samples > base.samples || trial.samples > regressed.samples) {
    throw new Error(`the pools have ${base.samples} and ${regressed.samples} samples per problem; ${trial.samples}-sample pairs need ${trial.samples} in each`);
  }
  const labels = base.interventions.map((l) => l.label);
  if (regressed.interventions.map((l) => l.label).join('\n') !== labels.join('\n')) throw new Error('the two pools ran different interventions');
  const random = seededRandom(trial.seed);
  const difference = labels.map(() => 0);
  let alarms = 0;
  let detectable = 0;
  for (let r = 0; r < trial.pairs; r++) {
    const golden: GoldenOutcome[] = draw(base, trial.samples, random).map((o) => o);
    const rows: ResultRow[] = draw(regressed, trial.samples, random).map((o) => ({ ...o, thinkingTokens: 0, answerTokens: 0, capFired: false, confidence: [], reflections: [] }));
    const result = noRegression(spec, { rows, interventions: base.interventions, golden: { file: 'pair', outcomes: golden }, seed: r }, 'noRegression');
    if (result.verdict === 'fail') alarms++;
    detectable += Number(result.evidence['detectableDropPoints'] ?? Number.NaN);
    labels.forEach((label, k) => {
      difference[k]! += accuracyOf(rows, label) - accuracyOf(golden, label);
    });
  }
  return { pairs: trial.pairs, alarms, observedDifference: difference.map((d) => d / trial.pairs), detectableDropPoints: detectable / trial.pairs };
}

function accuracyOf(list: readonly { intervention: string; correct: boolean }[], label: string): number {
  const mine = list.filter((o) => o.intervention === label);
  return mine.filter((o) => o.correct).length / Math.max(1, mine.length);
}

/** `samples` distinct samples of every problem in the pool (a partial Fisher-Yates shuffle), as outcomes numbered 0..samples-1. */
function draw(pool: OutcomePool, samples: number, random: () => number): GoldenOutcome[] {
  const out: GoldenOutcome[] = [];
  pool.problems.forEach((problemId, p) => {
    const order = Array.from({ length: pool.samples }, (_, i) => i);
    for (let i = 0; i < samples; i++) {
      const j = i + Math.floor(random() * (pool.samples - i));
      [order[i], order[j]] = [order[j]!, order[i]!];
      pool.interventions.forEach(({ label }, k) => {
        out.push({ problemId, intervention: label, sample: i, correct: pool.outcomes[p]![order[i]!]![k]! });
      });
    }
  });
  return out;
}
