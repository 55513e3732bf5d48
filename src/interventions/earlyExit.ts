import { Type, type Static } from '@sinclair/typebox';
import { Fraction, PositiveInt } from '../core/typebox.ts';
import { equivalentSync } from '../grading/index.ts';
import type { Intervention } from '../plan/intervention.ts';
import type { Branch, ProbeOutcome } from '../plan/tree-api.ts';
import { clean, OptionalWords } from './define.ts';
import { PROBE_SUFFIXES, reflectionScanner } from './words.ts';

/** After an early exit, the thinking is closed and the model answers. */
export const EXIT_CLOSE = '\n{close}\n\n';

export const type = 'earlyExit';

/** DEER's parameters (method may be left out: DEER is the default). */
const Deer = Type.Object(
  {
    method: Type.Optional(Type.Literal('deer', { expected: 'deer or dynasor' })),
    threshold: Type.Optional(Fraction()),
    words: OptionalWords(),
  },
  { additionalProperties: false },
);
const Dynasor = Type.Object(
  {
    method: Type.Literal('dynasor', { expected: 'deer or dynasor' }),
    every: Type.Optional(PositiveInt()),
    window: Type.Optional(PositiveInt()),
  },
  { additionalProperties: false },
);

/**
 * deer (default): trial answers at reflection words; dynasor: probes every `every` tokens. Picked by
 * `method`, so a parameter of the other method is an unknown field at its own pointer, and an
 * unknown method is reported against the method field.
 */
export const schema = Type.Unsafe<Static<typeof Deer> | Static<typeof Dynasor>>({
  type: 'object',
  if: { type: 'object', properties: { method: { const: 'dynasor' } }, required: ['method'] },
  then: Dynasor,
  else: Deer,
});
export type EarlyExitParams = Static<typeof schema>;
export type EarlyExitOptions =
  | { method: 'deer'; threshold?: number; words?: string[] }
  | { method: 'dynasor'; every?: number; window?: number };

export function describe(p: EarlyExitParams): string {
  return p.method === 'dynasor' ? `earlyExit(dynasor,every=${p.every ?? 256},window=${p.window ?? 3})` : `earlyExit(deer,${p.threshold ?? 0.95})`;
}

export function build(p: EarlyExitParams): Intervention {
  return earlyExit(p.method === 'dynasor' ? p : { ...p, method: 'deer' });
}

/**
 * DEER: at each natural reflection word, try an answer (`\n**Final Answer**\n\boxed`); its
 * confidence is the mean token probability of the trial answer; exit when above `threshold`.
 * Dynasor: probe every `every` thinking tokens; exit when the last `window` answers agree.
 * On exit the thinking is closed at that point and the model answers; otherwise the baseline.
 */
export function earlyExit(options: EarlyExitOptions): Intervention {
  const label = describe(options);
  return {
    type,
    params:
      options.method === 'deer'
        ? clean({ type, method: 'deer', threshold: options.threshold, words: options.words })
        : clean({ type, method: 'dynasor', every: options.every, window: options.window }),
    describe: () => label,
    async run(ctx) {
      const trunk: Branch = ctx.trunk;
      const probes: ProbeOutcome[] = [];
      const exitAt = async (cut: Parameters<typeof ctx.probe>[0], reason: string, confidence?: number) => {
        const answer = ctx.closeThinking(cut, EXIT_CLOSE, 'earlyExit');
        const f = await ctx.generate(answer);
        return {
          trace: f.trace,
          capFired: false,
          exit: { position: cut.thinking, reason, ...(confidence === undefined ? {} : { confidence }) },
          probes,
        };
      };
      if (options.method === 'deer') {
        const threshold = options.threshold ?? 0.95;
        const match = reflectionScanner(options.words);
        let from = 0;
        for (;;) {
          const m = await ctx.scan(trunk, from, match);
          if (!m) break;
          const p = await ctx.probe(m.cut, PROBE_SUFFIXES.deer, 'deer');
          probes.push(p);
          if (p.answer !== undefined && p.meanProb > threshold) return exitAt(m.cut, `confidence ${p.meanProb.toFixed(3)} > ${threshold}`, p.meanProb);
          from = m.tokenIndex + 1;
        }
      } else {
        const every = options.every ?? 256;
        const window = options.window ?? 3;
        for (let k = every; ; k += every) {
          const cut = await ctx.truncate(trunk, k);
          if (!cut) break;
          const p = await ctx.probe(cut, PROBE_SUFFIXES.dynasor, 'dynasor');
          probes.push(p);
          const last = probes.slice(-window);
          if (last.length === window && answersAgree(last.map((q) => q.answer))) {
            return exitAt(cut, `last ${window} probe answers agree`);
          }
        }
      }
      const f = await ctx.generate(trunk);
      return { trace: f.trace, capFired: f.capped, ...(f.capped ? { cap: f.capAt ?? 0 } : {}), probes };
    },
  };
}

/**
 * Dynasor's consistency test: every answer is there and means the same as the first (`1/2` and
 * `0.5` agree). Equivalence is src/grading's exact fast path; an answer it cannot decide without
 * the symbolic engine counts as disagreeing (the probe goes on rather than exiting on a guess).
 */
export function answersAgree(answers: readonly (string | undefined)[]): boolean {
  const first = answers[0];
  if (first === undefined || first.trim() === '') return false;
  return answers.every((a) => a !== undefined && a.trim() !== '' && (a === first || equivalentSync(first, a) === true));
}
