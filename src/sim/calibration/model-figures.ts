/**
 * Calibration figures measured through the simulator's model API (no HTTP, no engine): lengths,
 * accuracy, answer length, reflection density, and L-hat's shape from the model's exact truth.
 * These are properties of the model's own baseline traces, so the harness adds nothing to them.
 */
import type { Problem } from '../../problems/problem.ts';
import { createSimModel, type SimModelExt } from '../model/model.ts';
import { generateAll, lastBoxed, renderQuestion, text } from '../model/testing.ts';
import type { ModelCard } from '../cards/card.ts';
import type { CalibrationSet } from './items.ts';

export const CALIBRATION_SAMPLING = { seed: 0, temperature: 0.6, topK: 40, topP: 0.95 };
/** DEER's 16k thinking cap plus room for the answer. */
const MAX_TOKENS = 16_384 + 2_048;

/** Sentence-opening reflection phrases (what a reader of QwQ's traces would count). */
const REFLECTION = /(?<=^|[.!?:]\s+|\n\s*)(?:Wait|Hmm+|Alternatively|Hold on|Let me (?:check|verify|double-check)|But)\b/g;

export interface TraceFigures {
  problem: Problem;
  thinkingTokens: number;
  answerTokens: number;
  correct: boolean;
  reflections: number;
  /** Relative changes of L-hat at reflection phrases and at every thinking token (correct traces only). */
  lhat?: { atReflections: number[]; all: number[]; falls: boolean };
}

function spearman(xs: readonly number[], ys: readonly number[]): number {
  const rank = (v: readonly number[]): number[] => {
    const order = v.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
    const r = new Array<number>(v.length).fill(0);
    for (let k = 0; k < order.length; ) {
      let j = k;
      while (j + 1 < order.length && order[j + 1]!.x === order[k]!.x) j++;
      for (let m = k; m <= j; m++) r[order[m]!.i] = (k + j) / 2;
      k = j + 1;
    }
    return r;
  };
  const rx = rank(xs);
  const ry = rank(ys);
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(rx);
  const my = mean(ry);
  let num = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < rx.length; i++) {
    num += (rx[i]! - mx) * (ry[i]! - my);
    dx += (rx[i]! - mx) ** 2;
    dy += (ry[i]! - my) ** 2;
  }
  return dx === 0 || dy === 0 ? 0 : num / Math.sqrt(dx * dy);
}

/** L-hat = -log p(right answer) read token by token along the thinking, from the model's truth. */
function lhatFigures(model: SimModelExt, prompt: string, tokens: readonly string[], thinking: string): NonNullable<TraceFigures['lhat']> {
  const reader = model.reader(prompt);
  const L: number[] = [Math.max(1e-12, -Math.log(reader.pCorrect()))];
  const starts: number[] = [];
  let at = 0;
  for (const t of tokens) {
    starts.push(at);
    at += t.length;
    reader.read(t);
    L.push(Math.max(1e-12, -Math.log(reader.pCorrect())));
  }
  const rel = (a: number, b: number): number => Math.abs(L[b]! - L[a]!) / L[a]!;
  const all = tokens.map((_, i) => rel(i, i + 1));
  const atReflections: number[] = [];
  const tokenAt = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const m of thinking.matchAll(REFLECTION)) {
    const first = tokenAt(m.index);
    const last = tokenAt(m.index + m[0].length - 1);
    atReflections.push(rel(first, last + 1));
  }
  const positions = Array.from({ length: 20 }, (_, k) => Math.round(((k + 1) / 20) * tokens.length));
  return { atReflections, all, falls: spearman(positions, positions.map((p) => L[p]!)) < 0 };
}

/** Runs one baseline trace per problem and measures it. */
export function measureTraces(card: ModelCard, problems: readonly Problem[], lhatEvery: number): TraceFigures[] {
  const model = createSimModel(card, { answers: problems.map((p) => ({ question: p.question, answer: p.answer, ...(p.difficulty === undefined ? {} : { difficulty: p.difficulty }), ...(p.source ? { source: p.source } : {}) })) });
  return problems.map((problem, index) => {
    const prompt = renderQuestion(model, problem.question);
    const tokens = generateAll(model, prompt, CALIBRATION_SAMPLING, MAX_TOKENS).tokens.map((t) => t.token);
    const out = text(tokens.map((token) => ({ token, logprob: 0, top: [] })));
    const close = out.indexOf(model.template.thinkClose);
    const thinking = close < 0 ? out : out.slice(0, close);
    const thinkingTokens = model.tokenize(thinking).length;
    const correct = lastBoxed(close < 0 ? '' : out.slice(close)) === problem.answer;
    const figures: TraceFigures = { problem, thinkingTokens, answerTokens: tokens.length - thinkingTokens, correct, reflections: [...thinking.matchAll(REFLECTION)].length };
    if (lhatEvery > 0 && index % lhatEvery === 0 && correct) figures.lhat = lhatFigures(model, prompt, tokens.slice(0, thinkingTokens), thinking);
    return figures;
  });
}

const mean = (v: readonly number[]): number => (v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length);

export interface ModelFigures {
  gsm8k_tokens: number;
  math500_tokens: number;
  aime_tokens: number;
  gsm8k_acc: number;
  math500_acc: number;
  aime_acc: number;
  answer_tokens: number;
  reflections_per_1k: number;
  raml_fig6_ratio: number;
  lhat_falls_share: number;
  /** MATH-500 per level: mean tokens and accuracy. */
  mathLevels: { tokens: number; acc: number; n: number }[];
}

/** `lhatEvery`: L-hat's shape is measured on every k-th problem's trace (when correct); it reads each trace again, token by token. */
export function modelFigures(card: ModelCard, set: CalibrationSet, lhatEvery = 1): ModelFigures {
  const gsm = measureTraces(card, set.gsm8k, lhatEvery);
  const levels = set.math.map((items) => measureTraces(card, items, lhatEvery));
  const aime = measureTraces(card, set.aime, lhatEvery);
  const tokens = (t: TraceFigures): number => t.thinkingTokens + t.answerTokens;
  const mathLevels = levels.map((l) => ({ tokens: mean(l.map(tokens)), acc: mean(l.map((t) => (t.correct ? 1 : 0))), n: l.length }));
  // MATH-500's own level mix weighs the per-level figures (the sample is stratified by level).
  const total = set.mathLevelCounts.reduce((a, b) => a + b, 0);
  const weighted = (f: (l: (typeof mathLevels)[number]) => number): number => mathLevels.reduce((a, l, i) => a + (f(l) * (set.mathLevelCounts[i] ?? 0)) / total, 0);
  const all = [...gsm, ...levels.flat(), ...aime];
  const withLhat = all.flatMap((t) => (t.lhat ? [t.lhat] : []));
  const thinkingTokens = all.reduce((a, t) => a + t.thinkingTokens, 0);
  return {
    gsm8k_tokens: mean(gsm.map(tokens)),
    math500_tokens: weighted((l) => l.tokens),
    aime_tokens: mean(aime.map(tokens)),
    gsm8k_acc: mean(gsm.map((t) => (t.correct ? 1 : 0))),
    math500_acc: weighted((l) => l.acc),
    aime_acc: mean(aime.map((t) => (t.correct ? 1 : 0))),
    answer_tokens: mean(all.map((t) => t.answerTokens)),
    reflections_per_1k: (1000 * all.reduce((a, t) => a + t.reflections, 0)) / thinkingTokens,
    raml_fig6_ratio: mean(withLhat.flatMap((l) => l.atReflections)) / mean(withLhat.flatMap((l) => l.all)),
    lhat_falls_share: mean(withLhat.map((l) => (l.falls ? 1 : 0))),
    mathLevels,
  };
}
