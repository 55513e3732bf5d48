import { Type, type Static } from '@sinclair/typebox';
import { Fraction, PositiveInt } from '../core/typebox.ts';
import type { Intervention, Injection } from '../plan/intervention.ts';
import type { Branch } from '../plan/tree-api.ts';
import { clean, OptionalText, short } from './define.ts';
import { fullText } from '../trace/trace.ts';
import { withSeparator } from './words.ts';

export const type = 'injectReflection';
export const schema = Type.Object(
  {
    word: OptionalText(),
    /** At thinking token k. */
    at: Type.Optional(PositiveInt()),
    /** At a fraction of the natural thinking length. */
    fraction: Type.Optional(Fraction()),
    /** At every paragraph break. */
    paragraphs: Type.Optional(Type.Literal(true, { expected: 'true' })),
    max: Type.Optional(PositiveInt()),
  },
  {
    additionalProperties: false,
    oneOf: [{ required: ['at'] }, { required: ['fraction'] }, { required: ['paragraphs'] }],
    expected: 'exactly one of at (token), fraction (0..1) or paragraphs: true',
  },
);
export type InjectReflectionParams = Static<typeof schema>;

function position(p: InjectReflectionParams): string {
  return p.at !== undefined ? `at=${p.at}` : p.fraction !== undefined ? `fraction=${p.fraction}` : 'paragraphs';
}

export function describe(p: InjectReflectionParams): string {
  const word = p.word ?? 'Wait';
  return `injectReflection(${word === 'Wait' ? '' : `${short(word)},`}${position(p)})`;
}

/**
 * Inject a reflection word into the thinking: at thinking token k (`at`), at a fraction of the
 * trace's natural thinking length (`fraction`), or at every paragraph break (`paragraphs`, at most
 * `max` times). The model continues after the word.
 */
export function build(options: InjectReflectionParams): Intervention {
  const word = options.word ?? 'Wait';
  return {
    type,
    params: clean({ type, word: options.word, at: options.at, fraction: options.fraction, paragraphs: options.paragraphs, max: options.max }),
    describe: () => describe(options),
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

/** For code: `paragraphs` as a plain boolean (false is the same as leaving it out). */
export function injectReflection(options: Omit<InjectReflectionParams, 'paragraphs'> & { paragraphs?: boolean }): Intervention {
  const { paragraphs, ...rest } = options;
  return build(paragraphs ? { ...rest, paragraphs: true } : rest);
}
