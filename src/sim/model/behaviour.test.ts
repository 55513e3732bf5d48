import { describe, expect, it } from 'vitest';
import { createSimModel, loadCard, NO_THINKING_PREFILL, type SimModelExt } from './index.ts';
import { families, generateProblem } from '../../problems/families/index.ts';
import { generateAll, lastBoxed, RAML_PROMPT_SUFFIX, text } from './testing.ts';
import type { GeneratedToken, SamplingOptions } from './types.ts';

/**
 * Statistical behaviour over a few hundred seeded generated problems. Everything is deterministic
 * (seeded), and the thresholds sit far from what a model without the behaviour would produce:
 * e.g. a belief that did not rise would give a rank correlation near 0, not > 0 on 80% of traces.
 */

const SAMPLING = { temperature: 0.6, topK: 40, topP: 0.95 };

interface Run {
  prompt: string;
  answer: string;
  difficulty: number;
  opts: SamplingOptions;
  tokens: GeneratedToken[];
  /** Index of the `</think>` token. */
  end: number;
  correct: boolean;
}

function render(model: SimModelExt, question: string, extra = ''): string {
  return model.template.render([{ role: 'user', content: `${question}${RAML_PROMPT_SUFFIX}${extra}` }], false);
}

function runs(model: SimModelExt, seeds: number): Run[] {
  const out: Run[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    for (const family of families) {
      for (let difficulty = 1; difficulty <= 5; difficulty++) {
        const problem = generateProblem(family, 1000 + seed, difficulty);
        const prompt = render(model, problem.question);
        const opts = { ...SAMPLING, seed: seed * 97 + difficulty };
        const { tokens } = generateAll(model, prompt, opts);
        const end = tokens.findIndex((t) => t.token === '</think>');
        out.push({ prompt, answer: problem.answer, difficulty, opts, tokens, end, correct: lastBoxed(text(tokens)) === problem.answer });
      }
    }
  }
  return out;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const accuracy = (xs: boolean[]): number => mean(xs.map((x) => (x ? 1 : 0)));

function ranks(xs: number[]): number[] {
  const order = xs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length).fill(0);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

function spearman(ys: number[]): number {
  const rx = ranks(ys.map((_, i) => i));
  const ry = ranks(ys);
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < ys.length; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** p(right answer) after each prefix of the thinking (position 0 = nothing written yet). */
function beliefTrace(model: SimModelExt, run: Run): number[] {
  const reader = model.reader(run.prompt);
  const ps = [reader.pCorrect()];
  for (let i = 0; i < run.end; i++) {
    reader.read(run.tokens[i]!.token);
    ps.push(reader.pCorrect());
  }
  return ps;
}

/** Answer after closing the thinking at token k (k = 0: NoThinking). */
function cappedAnswer(model: SimModelExt, run: Run, k: number): { correct: boolean; tokens: number } {
  const cut = Math.min(k, run.end);
  const head = cut === 0 ? `<think>\n${NO_THINKING_PREFILL}\n</think>\n\n` : `${text(run.tokens.slice(0, cut))}\n</think>\n\n`;
  const tail = generateAll(model, run.prompt + head, run.opts).tokens;
  return { correct: lastBoxed(text(tail)) === run.answer, tokens: cut + tail.length };
}

const qwq = createSimModel(loadCard('sim-fast'));
const base = runs(qwq, 20); // 300 problems

describe('sim-fast (the pre-calibration sim-qwq) behaviour over 300 generated problems', () => {
  it('ends every trace with </think> and a boxed answer, errs at a rate that grows with difficulty', () => {
    expect(base.every((r) => r.end > 0 && lastBoxed(text(r.tokens)) !== undefined)).toBe(true);
    const acc = (d: number) => accuracy(base.filter((r) => r.difficulty === d).map((r) => r.correct));
    expect(acc(1)).toBeGreaterThan(0.85);
    expect(acc(5)).toBeLessThan(acc(1) - 0.1);
    expect(accuracy(base.map((r) => r.correct))).toBeGreaterThan(0.7);
    expect(accuracy(base.map((r) => r.correct))).toBeLessThan(0.97);
  });

  it('writes short traces for easy problems and long ones for hard problems', () => {
    const median = (d: number) => {
      const lengths = base.filter((r) => r.difficulty === d && !r.prompt.includes('Solve for x')).map((r) => r.tokens.length).sort((a, b) => a - b);
      return lengths[lengths.length >> 1] ?? 0;
    };
    expect(median(1)).toBeGreaterThan(80);
    expect(median(1)).toBeLessThan(300);
    expect(median(5)).toBeGreaterThan(1500);
  });

  it('raises its belief in the right answer along correct traces, not along wrong ones', () => {
    const rhoRight: number[] = [];
    const rhoWrong: number[] = [];
    for (const run of base) (run.correct ? rhoRight : rhoWrong).push(spearman(beliefTrace(qwq, run)));
    expect(rhoWrong.length).toBeGreaterThan(15);
    expect(rhoRight.filter((r) => r > 0).length / rhoRight.length).toBeGreaterThan(0.85);
    expect(rhoWrong.filter((r) => r > 0).length / rhoWrong.length).toBeLessThan(0.5);
    expect(mean(rhoWrong)).toBeLessThan(mean(rhoRight) - 0.5);
  });

  it('puts reflection words at large jumps of L-hat (>= 2x the mean relative change)', () => {
    let all = 0;
    let n = 0;
    let atReflection = 0;
    let m = 0;
    for (const run of base) {
      const ps = beliefTrace(qwq, run);
      for (let i = 1; i < ps.length; i++) {
        const before = -Math.log(ps[i - 1]!);
        const rel = Math.abs(-Math.log(ps[i]!) - before) / Math.max(before, 1e-9);
        all += rel;
        n++;
        if (/^(Wait|Hmm)$/.test(run.tokens[i - 1]!.token)) {
          atReflection += rel;
          m++;
        }
      }
    }
    expect(m).toBeGreaterThan(50);
    expect(atReflection / m).toBeGreaterThan((2 * all) / n);
  });

  it('loses accuracy and saves tokens when the thinking is closed early, the more the earlier', () => {
    const sample = base.filter((_, i) => i % 2 === 0); // 150 problems
    const at = (k: number) => sample.map((run) => cappedAnswer(qwq, run, k));
    const none = at(0);
    const tight = at(64);
    const mid = at(256);
    const full = sample.map((r) => r.correct);
    expect(accuracy(none.map((x) => x.correct))).toBeLessThan(accuracy(mid.map((x) => x.correct)) - 0.1);
    expect(accuracy(tight.map((x) => x.correct))).toBeLessThan(accuracy(full) - 0.12);
    expect(accuracy(mid.map((x) => x.correct))).toBeLessThanOrEqual(accuracy(full));
    expect(mean(none.map((x) => x.tokens))).toBeLessThan(mean(mid.map((x) => x.tokens)));
    expect(mean(mid.map((x) => x.tokens))).toBeLessThan(mean(sample.map((r) => r.tokens.length)));
  });

  it('sometimes repairs and sometimes breaks the answer when "Wait" replaces its </think>', () => {
    let repaired = 0;
    let broken = 0;
    let wrong = 0;
    for (const run of base) {
      const extended = generateAll(qwq, run.prompt + text(run.tokens.slice(0, run.end)) + 'Wait', run.opts).tokens;
      const ok = lastBoxed(text(extended)) === run.answer;
      if (!run.correct) wrong++;
      if (!run.correct && ok) repaired++;
      if (run.correct && !ok) broken++;
    }
    expect(repaired).toBeGreaterThan(0.1 * wrong);
    expect(repaired).toBeLessThan(wrong);
    expect(broken).toBeGreaterThan(0);
    expect(broken).toBeLessThan(0.2 * (base.length - wrong));
  });

  it('catches some of its own slips when it reflects', () => {
    const caught = base.filter((r) => text(r.tokens).includes('That is not what I had before') && r.correct).length;
    expect(caught).toBeGreaterThan(5);
  });

  it('shortens the trace for a stop instruction in the prompt', () => {
    const sample = base.filter((_, i) => i % 3 === 0);
    const length = (extra: string) =>
      mean(
        sample.map((run) => {
          const user = run.prompt.slice(run.prompt.indexOf('user\n') + 5, run.prompt.indexOf('<|im_end|>'));
          const prompt = qwq.template.render([{ role: 'user', content: `${user}${extra}` }], false);
          return generateAll(qwq, prompt, run.opts).tokens.length;
        }),
      );
    const baseline = mean(sample.map((r) => r.tokens.length));
    expect(length(' /no_think')).toBeLessThan(0.3 * baseline);
    expect(length('\nAnswer without deliberation.')).toBeLessThan(0.3 * baseline);
    expect(length('\nThink for maximum 200 tokens.')).toBeLessThan(0.6 * baseline);
  });

  it('roughly keeps to a token budget named in the prompt', () => {
    const hard = base.filter((r) => r.difficulty >= 4);
    const lengths = (extra: string) =>
      hard.map((run) => {
        const user = run.prompt.slice(run.prompt.indexOf('user\n') + 5, run.prompt.indexOf('<|im_end|>'));
        return generateAll(qwq, qwq.template.render([{ role: 'user', content: `${user}${extra}` }], false), run.opts).tokens.length;
      });
    const free = mean(hard.map((r) => r.tokens.length));
    const at500 = lengths(' Think for maximum 500 tokens.');
    const at1500 = lengths(' Think for maximum 1500 tokens.');
    expect(free).toBeGreaterThan(1200);
    expect(mean(at500)).toBeLessThan(600);
    expect(mean(at500)).toBeGreaterThan(250);
    expect(mean(at1500)).toBeGreaterThan(mean(at500) + 300);
    expect(mean(at1500)).toBeLessThan(1600);
  });
});

describe('cards differ the way their names say', () => {
  const regressed = createSimModel(loadCard('sim-qwq-regressed'));
  const over = createSimModel(loadCard('sim-overthinker'));
  const small = base.filter((_, i) => i % 2 === 1); // 150 problems
  const twin = (model: SimModelExt, run: Run): Run => {
    const { tokens } = generateAll(model, run.prompt, run.opts);
    return { ...run, tokens, end: tokens.findIndex((t) => t.token === '</think>'), correct: lastBoxed(text(tokens)) === run.answer };
  };

  it('sim-qwq-regressed is clearly worse than sim-qwq (the twin it derives from) under tight budgets and after early termination, similar at full length', () => {
    const twinQwq = createSimModel(loadCard('sim-qwq'));
    const fewer = small.filter((_, i) => i % 3 === 0); // 50 problems: twin traces are long
    const qwqRuns = fewer.map((r) => twin(twinQwq, r));
    const regFewer = fewer.map((r) => twin(regressed, r));
    const acc = (model: SimModelExt, rs: Run[], k: number) => accuracy(rs.map((r) => cappedAnswer(model, r, k).correct));
    expect(acc(regressed, regFewer, 0)).toBeLessThan(acc(twinQwq, qwqRuns, 0) - 0.12);
    expect(acc(regressed, regFewer, 128)).toBeLessThan(acc(twinQwq, qwqRuns, 128) - 0.12);
    expect(Math.abs(accuracy(regFewer.map((r) => r.correct)) - accuracy(qwqRuns.map((r) => r.correct)))).toBeLessThan(0.08);
  });

  it('sim-overthinker writes longer traces with more "Wait" and loses accuracy to extra reflection', () => {
    const overRuns = small.map((r) => twin(over, r));
    const waits = (rs: Run[]) => mean(rs.map((r) => r.tokens.filter((t) => t.token === 'Wait').length));
    expect(mean(overRuns.map((r) => r.tokens.length))).toBeGreaterThan(1.3 * mean(small.map((r) => r.tokens.length)));
    expect(waits(overRuns)).toBeGreaterThan(1.5 * waits(small));
    expect(accuracy(overRuns.map((r) => r.correct))).toBeLessThan(accuracy(small.map((r) => r.correct)));
    // Forcing two more rounds of "Wait" costs it accuracy on average.
    let after = 0;
    for (const run of overRuns) {
      let prompt = run.prompt + text(run.tokens.slice(0, run.end));
      let answer: string | undefined;
      for (let round = 0; round < 2; round++) {
        const cont = generateAll(over, `${prompt}Wait`, run.opts).tokens;
        const end = cont.findIndex((t) => t.token === '</think>');
        answer = lastBoxed(text(cont));
        prompt = `${prompt}Wait${text(cont.slice(0, end))}`;
      }
      if (answer === run.answer) after++;
    }
    expect(after / overRuns.length).toBeLessThan(accuracy(overRuns.map((r) => r.correct)));
  });
});
