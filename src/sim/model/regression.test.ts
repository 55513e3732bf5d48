/**
 * sim-qwq-minus5: sim-qwq with a card regression. It must write the twin's traces, and lose exactly
 * drop / calibratedAccuracy of the twin's right answers (in expectation), whatever the sampling.
 */
import { describe, expect, it } from 'vitest';
import { loadCard } from '../cards/load.ts';
import { createSimModel } from './model.ts';
import { generateAll, lastBoxed, problemPrompt, text } from './testing.ts';

const twin = createSimModel(loadCard('sim-qwq'));
const minus5 = createSimModel(loadCard('sim-qwq-minus5'));
const regression = minus5.card.regression!;
const share = regression.drop / regression.calibratedAccuracy;
const sampling = { seed: 0, temperature: 0.6, topK: 40, topP: 0.95 };

/** Prompts that end at an answer cue after a little thinking (varied so the keyed draws differ). */
function cuePrompts(n: number): { prompt: string; answer: string; seed: number }[] {
  const out: { prompt: string; answer: string; seed: number }[] = [];
  for (let i = 0; i < n; i++) {
    // Eight thinking texts per problem: the problem's reading is cached, the keyed draws differ.
    const problem = i >> 3;
    const family = problem % 2 === 0 ? 'arithmetic-chain' : 'linear-equation';
    const { prompt, answer } = problemPrompt(twin, family, 1000 + problem, family === 'arithmetic-chain' ? 3 : 2);
    const thinking = `<think>\nOkay, let me work this out${' carefully'.repeat(i % 8)}.\n</think>\n\n**Final Answer**\n\\boxed{`;
    out.push({ prompt: prompt + thinking, answer, seed: i });
  }
  return out;
}

describe('sim-qwq-minus5, the twin with a 5-point regression', () => {
  it('states its regression, and writes the twin trace when it does not blunder', () => {
    expect(regression).toEqual({ drop: 0.05, calibratedAccuracy: expect.any(Number) });
    const { prompt } = problemPrompt(twin, 'arithmetic-chain', 5, 3);
    const a = text(generateAll(twin, prompt, { ...sampling, seed: 3 }).tokens);
    const b = text(generateAll(minus5, prompt, { ...sampling, seed: 3 }).tokens);
    // Same thinking up to the answer cue (the keyed blunder only touches the answer).
    const cue = a.indexOf('</think>');
    expect(cue).toBeGreaterThan(500);
    expect(b.slice(0, cue)).toBe(a.slice(0, cue));
  });

  it('blunders at a drop / calibratedAccuracy share of answer cues and is the twin elsewhere, in its beliefs and when sampled', () => {
    const prompts = cuePrompts(2400);
    const pRight = (model: typeof twin, prompt: string, answer: string) => {
      const b = model.beliefAt(prompt);
      return b.probs[b.answers.indexOf(answer)] ?? 0;
    };
    // Sampled as a run samples (temperature 0.6, top-p 0.95), same seed for both models.
    const sampledRight = (model: typeof twin, prompt: string, answer: string, seed: number) =>
      lastBoxed(`\\boxed{${text(generateAll(model, prompt, { ...sampling, seed }, 40).tokens)}`) === answer;
    let blunders = 0;
    let twinRight = 0;
    let lost = 0;
    for (const { prompt, answer, seed } of prompts) {
      const base = pRight(twin, prompt, answer);
      const now = pRight(minus5, prompt, answer);
      if (now !== base) {
        // A blunder moves all of the right answer's mass away.
        expect(now).toBeLessThan(1e-5);
        blunders++;
      }
      const a = sampledRight(twin, prompt, answer, seed);
      const b = sampledRight(minus5, prompt, answer, seed);
      // Only a blunder changes the sampled answer, and it never turns a wrong answer right.
      expect(b).toBe(a && now === base);
      if (a) twinRight++;
      if (a && !b) lost++;
    }
    // Binomial counts within 4 standard deviations of drop / calibratedAccuracy.
    const within = (count: number, n: number) => Math.abs(count - n * share) < 4 * Math.sqrt(n * share * (1 - share));
    expect(within(blunders, prompts.length)).toBe(true);
    expect(twinRight).toBeGreaterThan(prompts.length / 3);
    expect(within(lost, twinRight)).toBe(true);
  });

  it('blunders at a share within 0.7 accuracy points of the 5 over 16,000 answer cues', () => {
    // Only the keyed draw decides a blunder: many cues of a few problems measure its share tightly.
    let cues = 0;
    let blunders = 0;
    for (let problem = 0; problem < 40; problem++) {
      const { prompt, answer } = problemPrompt(twin, 'arithmetic-chain', 5000 + problem, 3);
      for (let v = 0; v < 400; v++) {
        const b = minus5.beliefAt(`${prompt}<think>\nStep ${v}: working.\n</think>\n\n**Final Answer**\n\\boxed{`);
        cues++;
        if ((b.probs[b.answers.indexOf(answer)] ?? 0) < 1e-5) blunders++;
      }
    }
    // 4 standard deviations of the share is 0.0072: 0.64 points of accuracy on the calibrated suite.
    const sd = Math.sqrt((share * (1 - share)) / cues);
    expect(Math.abs(blunders / cues - share)).toBeLessThan(4 * sd);
    expect(4 * sd * regression.calibratedAccuracy).toBeLessThan(0.0066);
  });
});
