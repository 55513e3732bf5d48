import { clusterCounts } from '../metrics/clustered.ts';
import { minimumDetectableDrop, powerSentence, problemsNeeded, withinVariance, type WithinVariance } from '../metrics/power.ts';

/**
 * What a release gate built on a golden (or a finished run) can detect, and what it would take to
 * detect more: the pure part of `thinkprobe power`. The gate tests each intervention at alpha / k
 * (Bonferroni over k interventions); the gate detects a drop of X in any one intervention when X
 * is at least the largest per-intervention detectable drop.
 */

export interface PlanOutcome {
  problemId: string;
  intervention: string;
  correct: boolean;
}

export interface InterventionPlan {
  intervention: string;
  problems: number;
  samples: number;
  accuracy: number;
  variance: WithinVariance;
  /** Accuracy points. */
  detectableDrop: number;
}

export interface GatePlan {
  alpha: number;
  alphaPerTest: number;
  power: number;
  interventions: InterventionPlan[];
  /** Accuracy points: the largest per-intervention detectable drop. */
  detectableDrop: number;
  sentence: string;
  /** For `detect` points: problems needed per samples-per-problem choice (the worst intervention decides). */
  plan?: { detect: number; options: Array<{ samples: number; problems: number }> };
}

export const PLAN_SAMPLES = [1, 2, 4, 8, 16] as const;

export function planGate(outcomes: readonly PlanOutcome[], options: { alpha: number; power?: number; detect?: number }): GatePlan {
  const power = options.power ?? 0.8;
  const labels = [...new Set(outcomes.map((o) => o.intervention))];
  const alphaPerTest = options.alpha / Math.max(1, labels.length);
  const interventions = labels.map((intervention): InterventionPlan => {
    const mine = outcomes.filter((o) => o.intervention === intervention).map((o) => ({ cluster: o.problemId, correct: o.correct }));
    const clusters = clusterCounts(mine);
    const samples = mine.length / Math.max(1, clusters.length);
    const variance = withinVariance(mine);
    const drop = minimumDetectableDrop({ problems: clusters.length, samples, variance: variance.value, alpha: alphaPerTest, power });
    return { intervention, problems: clusters.length, samples, accuracy: mine.filter((o) => o.correct).length / Math.max(1, mine.length), variance, detectableDrop: drop * 100 };
  });
  const detectableDrop = Math.max(...interventions.map((i) => i.detectableDrop));
  const result: GatePlan = { alpha: options.alpha, alphaPerTest, power, interventions, detectableDrop, sentence: powerSentence(detectableDrop, power) };
  if (options.detect !== undefined) {
    const detect = options.detect;
    const worst = Math.max(...interventions.map((i) => i.variance.value));
    result.plan = {
      detect,
      options: PLAN_SAMPLES.map((samples) => ({ samples, problems: problemsNeeded({ drop: detect / 100, samples, variance: worst, alpha: alphaPerTest, power }) })),
    };
  }
  return result;
}
