import type { Intervention, Injection } from '../engine/intervention.ts';
import { clean, short } from './params.ts';
import type { Branch } from '../engine/tree.ts';
import { fullText } from '../trace/trace.ts';
import { withSeparator } from './words.ts';

/**
 * s1's budget forcing upward: when the model closes its thinking, drop the close, append `Wait`
 * (or another word) and let it continue; `times` times, within an optional total thinking budget
 * (when the budget is spent the thinking is closed with the cap text).
 */
export function extend(options: { times?: number; word?: string; budget?: number } = {}): Intervention {
  const times = options.times ?? 1;
  const word = options.word ?? 'Wait';
  return {
    type: 'extend',
    params: clean({ type: 'extend', times: options.times, word: options.word, budget: options.budget }),
    describe: () => `extend(${word === 'Wait' ? '' : `${short(word)},`}x${times}${options.budget === undefined ? '' : `,budget=${options.budget}`})`,
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
