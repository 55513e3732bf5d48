import { Type, type Static } from '@sinclair/typebox';
import type { Intervention } from '../plan/intervention.ts';
import { clean, OptionalText, short } from './define.ts';

/** RaML's forced early end for QwQ: prefilled right after the thinking opens; the model continues. */
export const RAML_STOP_PHRASE = 'Therefore, after all this, I believe the answer is';

export const type = 'stopPhrase';
export const schema = Type.Object({ phrase: OptionalText() }, { additionalProperties: false });
export type StopPhraseParams = Static<typeof schema>;

export function describe(p: StopPhraseParams): string {
  return p.phrase === undefined ? 'stopPhrase' : `stopPhrase(${short(p.phrase)})`;
}

export function build(p: StopPhraseParams = {}): Intervention {
  const phrase = p.phrase ?? RAML_STOP_PHRASE;
  return {
    type,
    params: clean({ type, phrase: p.phrase }),
    describe: () => describe(p),
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

export const stopPhrase = build;
