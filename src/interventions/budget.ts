import { Type, type Static } from '@sinclair/typebox';
import { PositiveInt } from '../core/typebox.ts';
import { S1_CLOSE } from '../plan/caps.ts';
import type { Intervention } from '../plan/intervention.ts';
import { QWEN3_BUDGET_CLOSE } from '../templates/qwen3.ts';
import { clean, OptionalText, short } from './define.ts';

export { S1_CLOSE };

/** Qwen3's budget sentence (its reference code, src/templates/qwen3.ts), with `{close}` for the template's close delimiter. */
export const QWEN3_CLOSE = QWEN3_BUDGET_CLOSE.replace('</think>', '{close}');

export const BUDGET_CLOSES: Record<string, string> = { s1: S1_CLOSE, qwen3: QWEN3_CLOSE };

export const type = 'budget';
export const schema = Type.Object(
  {
    tokens: PositiveInt({ expected: 'a whole number of thinking tokens >= 1' }),
    /** `s1` (default), `qwen3`, or the closing text itself. */
    close: OptionalText({ expected: 's1, qwen3 or a closing text' }),
    answerTokens: Type.Optional(PositiveInt()),
  },
  { additionalProperties: false },
);
export type BudgetParams = Static<typeof schema>;

export function describe(p: BudgetParams): string {
  const close = p.close === undefined || p.close === 's1' ? '' : `,${BUDGET_CLOSES[p.close] ? p.close : short(p.close)}`;
  return `budget(${p.tokens}${close}${p.answerTokens === undefined ? '' : `,answer=${p.answerTokens}`})`;
}

/**
 * Cap the thinking at exactly N of the model's own thinking tokens, then close with a string and
 * let the model answer (up to `answerTokens`). A trace that closes before N is the baseline's:
 * a model cannot see a cap it has not reached, so no new work is done.
 */
export function build(p: BudgetParams): Intervention {
  const closeSpec = p.close ?? 's1';
  const closeText = BUDGET_CLOSES[closeSpec] ?? closeSpec;
  return {
    type,
    params: clean({ type, tokens: p.tokens, close: p.close, answerTokens: p.answerTokens }),
    describe: () => describe(p),
    async run(ctx) {
      const cut = await ctx.truncate(ctx.trunk, p.tokens);
      if (!cut) {
        // The thinking closed (or hit the run's limit) before N: the baseline result, no new work.
        const f = await ctx.generate(ctx.trunk);
        return f.capped ? { trace: f.trace, capFired: true, cap: f.capAt ?? 0 } : { trace: f.trace, capFired: false };
      }
      const text = ctx.closeText(closeText);
      const answer = ctx.prefill(cut, text, 'budget', p.answerTokens === undefined ? {} : { answerLimit: p.answerTokens });
      const f = await ctx.generate(answer);
      return { trace: f.trace, capFired: true, cap: cut.thinking, injections: [{ position: cut.thinking, text, label: 'budget' }] };
    },
  };
}

export const budget = build;
