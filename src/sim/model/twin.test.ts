/** The calibrated twin (sim-qwq) keeps what the harness needs from a simulator, at its real length. */
import { describe, expect, it } from 'vitest';
import { loadCard } from '../cards/load.ts';
import { createSimModel } from './model.ts';
import { generateAll, lastBoxed, renderQuestion, text } from './testing.ts';

const entries = [
  { question: 'A baker sells 48 muffins in the morning and 36 in the afternoon. How many muffins does the baker sell?', answer: '84', dataset: 'gsm8k' as const, difficulty: 2 },
  { question: 'Find the number of real solutions of $x^4 - 5x^2 + 4 = 0$ with $x > 0$.', answer: '2', difficulty: 3 },
  { question: 'Let $N$ be the least positive integer with exactly 24 divisors. Find the remainder when $N$ is divided by 1000.', answer: '360', source: 'aime24' },
];
const twin = createSimModel(loadCard('sim-qwq'), { answers: entries });
const fast = createSimModel(loadCard('sim-fast'), { answers: entries });
const opts = { seed: 7, temperature: 0.6, topK: 40, topP: 0.95 };

describe('sim-qwq, the calibrated twin', () => {
  const runs = entries.map((e) => {
    const prompt = renderQuestion(twin, e.question);
    const tokens = generateAll(twin, prompt, opts, 40_000).tokens;
    return { e, prompt, tokens, out: text(tokens) };
  });

  it('reads GSM8K as level 1 and AIME as level 6 (by dataset or source), MATH by its level', () => {
    expect(runs.map((r) => twin.readPrompt(r.prompt).difficulty)).toEqual([1, 3, 6]);
    // The fast card keeps the levels the items carry (AIME without one reads as 3, as before).
    expect(entries.map((e) => fast.readPrompt(renderQuestion(fast, e.question)).difficulty)).toEqual([2, 3, 3]);
  });

  it('thinks longer on harder problems, quotes the problem, and writes a worked solution ending in \\boxed{}', () => {
    const lengths = runs.map((r) => r.out.indexOf('</think>'));
    expect(lengths[0]).toBeGreaterThan(2_000);
    expect(lengths[1]).toBeGreaterThan(lengths[0]!);
    expect(lengths[2]).toBeGreaterThan(2 * lengths[1]!);
    expect(runs[0]!.out).toContain('starting from 48');
    expect(runs[1]!.out).toContain('$x^4 - 5x^2 + 4 = 0$');
    for (const r of runs) {
      const answer = r.out.slice(r.out.indexOf('</think>'));
      expect(twin.tokenize(answer).length).toBeGreaterThan(150);
      expect(answer).toContain('**Step 1.**');
      expect(lastBoxed(answer)).toBeDefined();
    }
    const openers = new Set(runs.flatMap((r) => [...r.out.matchAll(/(?<=\n\n|\. )(Wait|Hmm|Alternatively|Let me check|But)\b/g)].map((m) => m[1])));
    expect(openers.size).toBeGreaterThanOrEqual(3);
  });

  it('is deterministic by seed and continues its own prefix exactly, anywhere in a long trace', () => {
    const r = runs[1]!;
    expect(text(generateAll(twin, r.prompt, opts, 40_000).tokens)).toBe(r.out);
    expect(text(generateAll(twin, r.prompt, { ...opts, seed: 8 }, 40_000).tokens)).not.toBe(r.out);
    for (const k of [1, Math.floor(r.tokens.length / 3), r.tokens.length - 40]) {
      const rest = generateAll(twin, r.prompt + text(r.tokens.slice(0, k)), opts, 40_000).tokens;
      expect(text(rest)).toBe(text(r.tokens.slice(k)));
    }
  });

  it('knows the exact probability of its answer: what the answer cue samples from', () => {
    const r = runs[0]!;
    const cue = r.out.lastIndexOf('\\boxed{') + '\\boxed{'.length;
    const belief = twin.beliefAt(r.prompt + r.out.slice(0, cue));
    const i = belief.answers.indexOf(r.e.answer);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(twin.logprobOf(r.prompt + r.out.slice(0, cue), `${r.e.answer}}`).logprob).toBeCloseTo(Math.log(belief.probs[i]! * (1 - 1e-3)), 6);
  });
});
