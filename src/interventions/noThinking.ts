import type { Intervention } from '../engine/intervention.ts';
import { clean, short } from './params.ts';

/** NoThinking (Ma et al. 2025): the thinking is prefilled as finished and closed at once. */
export const NO_THINKING_PREFILL = 'Okay, I think I have finished thinking.\n{close}\n\n';

export function noThinking(options: { prefill?: string } = {}): Intervention {
  const prefill = options.prefill ?? NO_THINKING_PREFILL;
  return {
    type: 'noThinking',
    params: clean({ type: 'noThinking', prefill: options.prefill }),
    describe: () => (options.prefill === undefined ? 'noThinking' : `noThinking(${short(options.prefill)})`),
    async run(ctx) {
      const text = ctx.tree.capCloseText(prefill);
      const answer = ctx.prefill(ctx.start(), text, 'noThinking');
      const f = await ctx.generate(answer);
      return { trace: f.trace, capFired: false, injections: [{ position: 0, text, label: 'noThinking' }] };
    },
  };
}
