import { Type, type Static } from '@sinclair/typebox';
import { PositiveInt } from '../core/typebox.ts';
import type { Intervention, Injection } from '../plan/intervention.ts';
import type { Branch } from '../plan/tree-api.ts';
import { clean, OptionalText, short } from './define.ts';
import { fullText } from '../trace/trace.ts';
import { withSeparator } from './words.ts';

export const type = 'extend';
export const schema = Type.Object(
  {
    times: Type.Optional(PositiveInt()),
    word: OptionalText(),
    /** Cap on the whole thinking, extensions included. */
    budget: Type.Optional(PositiveInt()),
  },
  { additionalProperties: false },
);
export type ExtendParams = Static<typeof schema>;

export function describe(p: ExtendParams): string {
  const word = p.word ?? 'Wait';
  return `extend(${word === 'Wait' ? '' : `${short(word)},`}x${p.times ?? 1}${p.budget === undefined ? '' : `,budget=${p.budget}`})`;
}

/**
 * s1's budget forcing upward: when the model closes its thinking, drop the close, append `Wait`
 * (or another word) and let it continue; `times` times, within an optional total thinking budget
 * (when the budget is spent the thinking is closed with the cap text).
 */
export function build(options: ExtendParams = {}): Intervention {
  const times = options.times ?? 1;
  const word = options.word ?? 'Wait';
  return {
    type,
    params: clean({ type, times: options.times, word: options.word, budget: options.budget }),
    describe: () => describe(options),
    async run(ctx) {
      const limit = Math.min(options.budget ?? Number.POSITIVE_INFINITY, ctx.config.maxThinkingTokens);
      let run: Branch = ctx.trunk;
      const injections: Injection[] = [];
      const notes: string[] = [];
      if (options.budget !== undefined && options.budget < ctx.config.maxThinkingTokens) {
        // The trunk itself may need the total budget as its limit.
        const c0 = await ctx.close(run);
        if (!c0.natural || c0.thinking > limit) {
          const cut = await ctx.truncate(run, limit);
          if (cut) {
            const ans = ctx.closeThinking(cut);
            const f = await ctx.generate(ans);
            return { trace: f.trace, capFired: true, cap: limit, notes: ['budget spent before the first close'] };
          }
        }
      }
      for (let i = 0; i < times; i++) {
        const c = await ctx.close(run);
        if (!c.natural) {
          notes.push(`extension ${i + 1}: the thinking did not close (${c.reason})`);
          break;
        }
        if (c.thinking >= limit) {
          notes.push(`extension ${i + 1}: budget spent`);
          break;
        }
        const text = withSeparator(fullText(c.cut.trace), word);
        run = ctx.prefill(c.cut, text, 'extend', { thinkingLimit: limit });
        injections.push({ position: c.thinking, text, label: 'extend' });
      }
      const f = await ctx.generate(run);
      return {
        trace: f.trace,
        capFired: f.capped,
        ...(f.capped ? { cap: f.capAt ?? 0 } : {}),
        injections,
        ...(notes.length ? { notes } : {}),
      };
    },
  };
}

export const extend = build;
