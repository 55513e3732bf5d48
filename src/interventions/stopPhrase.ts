import type { Intervention } from '../engine/intervention.ts';
import { clean, short } from './params.ts';

/** RaML's forced early end for QwQ: prefilled right after the thinking opens; the model continues. */
export const RAML_STOP_PHRASE = 'Therefore, after all this, I believe the answer is';

export function stopPhrase(options: { phrase?: string } = {}): Intervention {
  const phrase = options.phrase ?? RAML_STOP_PHRASE;
  return {
    type: 'stopPhrase',
    params: clean({ type: 'stopPhrase', phrase: options.phrase }),
    describe: () => (options.phrase === undefined ? 'stopPhrase' : `stopPhrase(${short(options.phrase)})`),
    async run(ctx) {
      const run = ctx.prefill(ctx.start(), phrase, 'stopPhrase');
      const f = await ctx.generate(run);
      return {
        trace: f.trace,
        capFired: f.capped,
        ...(f.capped ? { cap: f.capAt ?? 0 } : {}),
        injections: [{ position: 0, text: phrase, label: 'stopPhrase' }],
      };
    },
  };
}
