/**
 * Calibration figures that are effects of interventions: NoWait, DEER, NoThinking and one forced
 * "Wait", each run by thinkprobe's own interventions through the engine (runPlan) against the
 * simulator's real HTTP server, in process. Graded by src/grading.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OllamaBackend } from '../../backends/ollama.ts';
import type { Result } from '../../core/model.ts';
import { RAML_SAMPLING, runPlan } from '../../engine/index.ts';
import { createGrader } from '../../grading/grader.ts';
import { interventionFromSpec } from '../../interventions/index.ts';
import type { Problem } from '../../problems/problem.ts';
import { openStore } from '../../store/sqlite-store.ts';
import { chatmlQwq } from '../../templates/index.ts';
import type { ModelCard } from '../cards/card.ts';
import { startSimServer } from '../server/index.ts';

const SPECS = {
  baseline: { type: 'baseline' },
  nowait: { type: 'suppressReflection' },
  deer: { type: 'earlyExit', method: 'deer' },
  nothinking: { type: 'noThinking' },
  wait1: { type: 'extend', times: 1 },
} as const;
type Arm = keyof typeof SPECS;

export interface EngineFigures {
  nowait_token_cut: number;
  nowait_acc_delta: number;
  deer_token_cut: number;
  deer_acc_delta: number;
  nothinking_drop_easy: number;
  nothinking_drop_hard: number;
  wait_x1_delta_hard: number;
  /** Problems run, and server work (tokens decoded). */
  problems: number;
  decoded: number;
}

interface Outcome {
  tokens: number;
  correct: boolean;
}

/** Easy: GSM8K and MATH levels 1-2; hard: AIME and MATH level 5. */
export function isEasy(p: Problem): boolean {
  return /gsm8k/i.test(p.source ?? '') || (p.difficulty !== undefined && p.difficulty <= 2 && /math/i.test(p.source ?? ''));
}
export function isHard(p: Problem): boolean {
  return /aime/i.test(p.source ?? '') || (p.difficulty === 5 && /math/i.test(p.source ?? ''));
}

async function runArms(card: ModelCard, problems: readonly Problem[], slots: number): Promise<{ rows: Map<string, Map<Arm, Outcome>>; decoded: number }> {
  const sim = await startSimServer({
    port: 0,
    parallel: slots,
    cards: [card],
    answerEntries: problems.map((p) => ({ question: p.question, answer: p.answer, ...(p.difficulty === undefined ? {} : { difficulty: p.difficulty }), ...(p.source ? { source: p.source } : {}) })),
  });
  const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-calibration-'));
  const grader = createGrader({ workers: 1 });
  try {
    const arms = Object.keys(SPECS) as Arm[];
    const interventions = arms.map((arm) => interventionFromSpec(SPECS[arm], `calibration/${arm}`));
    const armOf = new Map(arms.map((arm) => [SPECS[arm].type as string, arm]));
    const store = openStore(join(dir, 'calibration.sqlite'));
    const outcome = await runPlan({
      backend: new OllamaBackend({ host: sim.url, numCtx: 20_480 }),
      store,
      model: card.name,
      template: chatmlQwq(),
      problems,
      interventions,
      runId: 'calibration',
      seed: 0,
      sampling: RAML_SAMPLING,
      concurrency: slots,
      maxThinkingTokens: 16_384,
      answerTokens: 2_048,
      grader,
    });
    store.close();
    const rows = new Map<string, Map<Arm, Outcome>>();
    for (const r of outcome.results as Result[]) {
      const arm = armOf.get(r.intervention.type);
      if (!arm) continue;
      const byArm = rows.get(r.problemId) ?? new Map<Arm, Outcome>();
      byArm.set(arm, { tokens: r.counts.thinking + r.counts.answer, correct: r.correct === true });
      rows.set(r.problemId, byArm);
    }
    return { rows, decoded: sim.stats().decoded_tokens };
  } finally {
    await grader.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function accuracy(problems: readonly Problem[], rows: Map<string, Map<Arm, Outcome>>, arm: Arm): number {
  const got = problems.map((p) => rows.get(p.id)?.get(arm)?.correct ?? false);
  return got.filter(Boolean).length / Math.max(1, got.length);
}

function tokens(problems: readonly Problem[], rows: Map<string, Map<Arm, Outcome>>, arm: Arm): number {
  return problems.reduce((a, p) => a + (rows.get(p.id)?.get(arm)?.tokens ?? 0), 0);
}

export async function engineFigures(card: ModelCard, problems: readonly Problem[], slots = 2): Promise<EngineFigures> {
  const { rows, decoded } = await runArms(card, problems, slots);
  const easy = problems.filter(isEasy);
  const hard = problems.filter(isHard);
  const cut = (arm: Arm): number => 1 - tokens(problems, rows, arm) / tokens(problems, rows, 'baseline');
  const delta = (set: readonly Problem[], arm: Arm): number => accuracy(set, rows, arm) - accuracy(set, rows, 'baseline');
  return {
    nowait_token_cut: cut('nowait'),
    nowait_acc_delta: delta(problems, 'nowait'),
    deer_token_cut: cut('deer'),
    deer_acc_delta: delta(problems, 'deer'),
    nothinking_drop_easy: -delta(easy, 'nothinking'),
    nothinking_drop_hard: -delta(hard, 'nothinking'),
    wait_x1_delta_hard: delta(hard, 'wait1'),
    problems: problems.length,
    decoded,
  };
}
