import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OllamaBackend } from '../../src/backends/ollama.ts';
import { atFractions, lhatAlong } from '../../src/confidence/index.ts';
import { equivalentSync, extractAnswer } from '../../src/grading/index.ts';
import { spearman } from '../../src/metrics/correlation.ts';
import { families, generateProblem } from '../../src/problems/families/index.ts';
import type { SimServer } from '../../src/sim/server/index.ts';
import { chatmlQwq } from '../../src/templates/index.ts';
import { MODEL, sampleTrace, startSimStack } from './confidence-helpers.ts';

/**
 * RaML's finding, reproduced through the harness on the simulator: teacher-forced L-hat of the
 * reference answer falls along correct traces and does not fall along wrong ones. Seeded traces,
 * a few dozen problems, probes at 11 fractions of each trace, Spearman rho of L-hat against position.
 */

let server: SimServer;
let backend: OllamaBackend;

beforeAll(async () => {
  ({ server, backend } = await startSimStack());
});
afterAll(async () => {
  await server?.close();
});

interface TraceCurve {
  id: string;
  correct: boolean;
  rho: number;
  first: number;
  last: number;
}

async function curveFor(family: (typeof families)[number], seed: number, difficulty: number): Promise<TraceCurve | undefined> {
  const template = chatmlQwq();
  const problem = generateProblem(family, 100 + seed, difficulty);
  const prompt = template.render({ question: problem.question });
  const output = await sampleTrace(backend, prompt, { seed, maxTokens: 8000, stop: [template.endOfTurn] });
  const close = output.tokens.findIndex((t) => t.text === template.thinkClose);
  if (close < 0) return undefined;
  const trace = output.tokens.slice(0, close).map((t) => t.text);
  const extracted = extractAnswer(output.text, { thinkClose: template.thinkClose });
  const correct = extracted !== undefined && equivalentSync(problem.answer, extracted.text) === true;
  const points = await lhatAlong({
    backend,
    model: MODEL,
    prompt,
    traceTokens: trace,
    positions: atFractions(trace.length, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]),
    reference: problem.answer,
  });
  const lhats = points.map((p) => p.result.lhat!);
  return {
    id: problem.id,
    correct,
    rho: spearman(
      points.map((p) => p.position),
      lhats,
    ),
    first: lhats[0]!,
    last: lhats.at(-1)!,
  };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('L-hat along simulated traces', () => {
  it('falls along correct traces (mean rho < 0), not along wrong ones', async () => {
    const curves: TraceCurve[] = [];
    for (let seed = 0; seed < 12; seed++) {
      for (const family of families) {
        const curve = await curveFor(family, seed, 2 + (seed % 4));
        if (curve) curves.push(curve);
      }
    }
    const correct = curves.filter((c) => c.correct);
    const wrong = curves.filter((c) => !c.correct);
    // Enough of each kind for the means to mean something.
    expect(correct.length).toBeGreaterThanOrEqual(20);
    expect(wrong.length).toBeGreaterThanOrEqual(4);
    const rhoCorrect = mean(correct.map((c) => c.rho));
    const rhoWrong = mean(wrong.map((c) => c.rho));
    expect(rhoCorrect).toBeLessThan(-0.5);
    expect(rhoWrong).toBeGreaterThan(0);
    expect(rhoWrong - rhoCorrect).toBeGreaterThan(0.8);
    // Nearly every correct trace ends more confident in the reference than it started.
    expect(correct.filter((c) => c.last < c.first).length / correct.length).toBeGreaterThanOrEqual(0.85);
    // And wrong traces end less confident in the reference than correct ones.
    expect(mean(wrong.map((c) => c.last))).toBeGreaterThan(mean(correct.map((c) => c.last)) + 1);
  });
});
