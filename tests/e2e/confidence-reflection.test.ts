import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OllamaBackend } from '../../src/backends/ollama.ts';
import { atReflections, findReflections, lhatAlong } from '../../src/confidence/index.ts';
import { families, generateProblem } from '../../src/problems/families/index.ts';
import type { SimServer } from '../../src/sim/server/index.ts';
import { chatmlQwq } from '../../src/templates/index.ts';
import { MODEL, sampleTrace, startSimStack } from './confidence-helpers.ts';

/**
 * Probes scheduled at reflection words land where L-hat jumps (RaML's Figure 6: the mean relative
 * change at "Wait" is about twice the mean at all positions). The probe pair (k, k+1) around the
 * token where a reflection word starts measures the step that reads it; random pairs are the baseline.
 */

let server: SimServer;
let backend: OllamaBackend;

beforeAll(async () => {
  ({ server, backend } = await startSimStack());
});
afterAll(async () => {
  await server?.close();
});

describe('probes at reflection words', () => {
  it('the step over a reflection word changes L-hat far more than a random step', async () => {
    const template = chatmlQwq();
    const atReflection: number[] = [];
    const atRandom: number[] = [];
    let state = 12345;
    const random = (n: number): number => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    for (let seed = 0; seed < 12; seed++) {
      const problem = generateProblem(families[seed % families.length]!, 200 + seed, 3 + (seed % 2));
      const prompt = template.render({ question: problem.question });
      const out = await sampleTrace(backend, prompt, { seed, maxTokens: 8000, stop: [template.thinkClose] });
      const tokens = out.tokens.map((t) => t.text);
      const reflections = atReflections(tokens);
      expect(reflections).toEqual(findReflections(tokens).map((h) => h.tokenIndex));
      const randoms = Array.from({ length: 5 }, () => random(tokens.length - 1)).filter((j) => !reflections.includes(j));
      const starts = [...reflections.filter((k) => k < tokens.length), ...randoms];
      const points = await lhatAlong({
        backend,
        model: MODEL,
        prompt,
        traceTokens: tokens,
        positions: starts.flatMap((k) => [k, k + 1]),
        reference: problem.answer,
      });
      const lhat = new Map(points.map((p) => [p.position, p.result.lhat!]));
      const change = (k: number): number => Math.abs(lhat.get(k + 1)! - lhat.get(k)!) / lhat.get(k)!;
      for (const k of reflections) if (k < tokens.length) atReflection.push(change(k));
      for (const j of randoms) atRandom.push(change(j));
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(atReflection.length).toBeGreaterThanOrEqual(6);
    expect(atRandom.length).toBeGreaterThanOrEqual(40);
    expect(mean(atReflection)).toBeGreaterThan(2 * mean(atRandom));
  });
});
