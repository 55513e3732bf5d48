import { QWEN3_BUDGET_CLOSE } from '../templates/qwen3.ts';
import type { Intervention } from '../engine/intervention.ts';
import { clean, short } from './params.ts';
import { S1_CLOSE } from '../engine/tree.ts';

export { S1_CLOSE };

/** Qwen3's budget sentence (its reference code, src/templates/qwen3.ts), with `{close}` for the template's close delimiter. */
export const QWEN3_CLOSE = QWEN3_BUDGET_CLOSE.replace('</think>', '{close}');

export const BUDGET_CLOSES: Record<string, string> = { s1: S1_CLOSE, qwen3: QWEN3_CLOSE };

/**
 * Cap the thinking at exactly N of the model's own thinking tokens, then close with a string and
 * let the model answer (up to `answerTokens`). A trace that closes before N is the baseline's:
 * a model cannot see a cap it has not reached, so no new work is done.
 */
export function budget(options: { tokens: number; close?: string; answerTokens?: number }): Intervention {
  const closeSpec = options.close ?? 's1';
  const closeText = BUDGET_CLOSES[closeSpec] ?? closeSpec;
  return {
    type: 'budget',
    params: clean({ type: 'budget', tokens: options.tokens, close: options.close, answerTokens: options.answerTokens }),
    describe: () =>
      `budget(${options.tokens}${options.close === undefined || options.close === 's1' ? '' : `,${BUDGET_CLOSES[options.close] ? options.close : short(options.close)}`}${options.answerTokens === undefined ? '' : `,answer=${options.answerTokens}`})`,
    async run(ctx) {
      const cut = await ctx.truncate(ctx.trunk, options.tokens);
      if (!cut) {
        // The thinking closed (or hit the run's limit) before N: the baseline result, no new work.
        const f = await ctx.generate(ctx.trunk);
        return f.capped ? { trace: f.trace, capFired: true, cap: f.capAt ?? 0 } : { trace: f.trace, capFired: false };
      }
      const text = ctx.tree.capCloseText(closeText);
      const answer = ctx.prefill(cut, text, 'budget', options.answerTokens === undefined ? {} : { answerLimit: options.answerTokens });
      const f = await ctx.generate(answer);
      return { trace: f.trace, capFired: true, cap: cut.thinking, injections: [{ position: cut.thinking, text, label: 'budget' }] };
    },
  };
}
