import { Type, type Static } from '@sinclair/typebox';
import type { Intervention } from '../plan/intervention.ts';
import { clean, short } from './define.ts';

/** NoThinking (Ma et al. 2025): the thinking is prefilled as finished and closed at once. */
export const NO_THINKING_PREFILL = 'Okay, I think I have finished thinking.\n{close}\n\n';

export const type = 'noThinking';
export const schema = Type.Object({ prefill: Type.Optional(Type.String()) }, { additionalProperties: false });
export type NoThinkingParams = Static<typeof schema>;

export function describe(p: NoThinkingParams): string {
  return p.prefill === undefined ? 'noThinking' : `noThinking(${short(p.prefill)})`;
}

export function build(p: NoThinkingParams = {}): Intervention {
  const prefill = p.prefill ?? NO_THINKING_PREFILL;
  return {
    type,
    params: clean({ type, prefill: p.prefill }),
    describe: () => describe(p),
    async run(ctx) {
      const text = ctx.closeText(prefill);
      const answer = ctx.prefill(ctx.start(), text, 'noThinking');
      const f = await ctx.generate(answer);
      return { trace: f.trace, capFired: false, injections: [{ position: 0, text, label: 'noThinking' }] };
    },
  };
}

export const noThinking = build;
