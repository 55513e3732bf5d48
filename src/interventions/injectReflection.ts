import type { Intervention, Injection } from '../engine/intervention.ts';
import { clean, short } from './params.ts';
import type { Branch } from '../engine/tree.ts';
import { fullText } from '../trace/trace.ts';
import { withSeparator } from './words.ts';

/**
 * Inject a reflection word into the thinking: at thinking token k (`at`), at a fraction of the
 * trace's natural thinking length (`fraction`), or at every paragraph break (`paragraphs`, at most
 * `max` times). The model continues after the word.
 */
export function injectReflection(options: { word?: string; at?: number; fraction?: number; paragraphs?: boolean; max?: number }): Intervention {
  const word = options.word ?? 'Wait';
  const where =
    options.at !== undefined ? `at=${options.at}` : options.fraction !== undefined ? `fraction=${options.fraction}` : 'paragraphs';
  return {
    type: 'injectReflection',
    params: clean({ type: 'injectReflection', word: options.word, at: options.at, fraction: options.fraction, paragraphs: options.paragraphs, max: options.max }),
    describe: () => `injectReflection(${word === 'Wait' ? '' : `${short(word)},`}${where})`,
    async run(ctx) {
      const trunk = ctx.trunk;
      if (options.at !== undefined || options.fraction !== undefined) {
        let k = options.at ?? 0;
        if (options.fraction !== undefined) {
          const c = await ctx.close(trunk);
          k = Math.max(1, Math.round(options.fraction * c.thinking));
        }
        const cut = await ctx.truncate(trunk, k);
        if (!cut) {
          const f = await ctx.generate(trunk);
          return { trace: f.trace, capFired: f.capped, ...(f.capped ? { cap: f.capAt ?? 0 } : {}), notes: [`the thinking closed before token ${k}: nothing injected`] };
        }
        const text = withSeparator(fullText(cut.trace), word);
        const run = ctx.prefill(cut, text, 'injectReflection');
        const f = await ctx.generate(run);
        return {
          trace: f.trace,
          capFired: f.capped,
          ...(f.capped ? { cap: f.capAt ?? 0 } : {}),
          injections: [{ position: cut.thinking, text, label: 'injectReflection' }],
        };
      }
      // At every paragraph break: after the token that completes "\n\n", inject the word.
      const max = options.max ?? 8;
      const injections: Injection[] = [];
      let run: Branch = trunk;
      let from = 0;
      while (injections.length < max) {
        const m = await ctx.scan(run, from, (token, before) => (before + token.text).endsWith('\n\n') && token.text.includes('\n'));
        if (!m) break;
        const cut = run.cutAtTokens(m.tokenIndex + 1);
        const text = withSeparator(fullText(cut.trace), word);
        run = ctx.prefill(cut, text, 'injectReflection');
        injections.push({ position: cut.thinking, text, label: 'injectReflection' });
        from = 0;
      }
      const f = await ctx.generate(run);
      return { trace: f.trace, capFired: f.capped, ...(f.capped ? { cap: f.capAt ?? 0 } : {}), injections };
    },
  };
}
