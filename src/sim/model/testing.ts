import type { GeneratedToken, SamplingOptions, SimModel } from './types.ts';
import { generateProblem, type FamilyName } from '../../problems/families/index.ts';

/** Helpers shared by the simulator's tests and benchmarks (no test framework imports here). */

export const RAML_PROMPT_SUFFIX = '\n\nPlease reason step by step, and put your final answer within \\boxed{}.';

export function renderQuestion(model: SimModel, question: string): string {
  return model.template.render([{ role: 'user', content: `${question}${RAML_PROMPT_SUFFIX}` }], false);
}

export function problemPrompt(model: SimModel, family: FamilyName, seed: number, difficulty: number): { prompt: string; answer: string } {
  const problem = generateProblem(family, seed, difficulty);
  return { prompt: renderQuestion(model, problem.question), answer: problem.answer };
}

/** Runs a generation to its end (or `max` tokens). */
export function generateAll(model: SimModel, prompt: string, sampling: SamplingOptions, max = 20_000): { tokens: GeneratedToken[]; stopped: boolean } {
  const g = model.start(prompt, sampling);
  const tokens: GeneratedToken[] = [];
  for (let i = 0; i < max; i++) {
    const t = g.next();
    if (t === null) return { tokens, stopped: true };
    tokens.push(t);
  }
  return { tokens, stopped: false };
}

export const text = (tokens: readonly GeneratedToken[]): string => tokens.map((t) => t.token).join('');

/** The last \boxed{...} answer in a text (balanced braces), or undefined. */
export function lastBoxed(output: string): string | undefined {
  const at = output.lastIndexOf('\\boxed{');
  if (at < 0) return undefined;
  let depth = 0;
  for (let i = at + 7; i < output.length; i++) {
    const c = output[i];
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return output.slice(at + 7, i);
      depth--;
    }
  }
  return undefined;
}
