import { Type, type Static } from '@sinclair/typebox';
import { Fraction, PositiveInt } from '../core/typebox.ts';

import type { Intervention, InterventionOutput } from '../plan/intervention.ts';
import type { ProbeOutcome } from '../plan/tree-api.ts';
import { cutAtThinkingToken, countTrace } from '../trace/trace.ts';
import { baseline } from './baseline.ts';
import { clean, NestedIntervention, OptionalText, ParamError, type BuildTools } from './define.ts';
import { PROBE_SUFFIXES, reflectionScanner, type ProbeSuffixName } from './words.ts';

export const type = 'probes';
export const schema = Type.Object(
  {
    every: Type.Optional(PositiveInt()),
    at: Type.Optional(Type.Array(Fraction(), { minItems: 1, expected: 'a non-empty array of fractions 0..1' })),
    words: Type.Optional(Type.Boolean()),
    /** raml (default), dynasor, deer, or a literal suffix. */
    suffix: OptionalText(),
    tokens: Type.Optional(PositiveInt()),
    /** The intervention probed (default baseline); its own schema checks it when it is built. */
    on: Type.Optional(NestedIntervention()),
  },
  {
    additionalProperties: false,
    oneOf: [{ required: ['every'] }, { required: ['at'] }, { required: ['words'] }],
    expected: 'exactly one of every (tokens), at (fractions) or words: true',
  },
);
export type ProbesParams = Static<typeof schema>;

function suffixName(p: { suffix?: string }): string {
  return p.suffix ?? 'raml';
}

function label(p: ProbesOptions, on: Intervention): string {
  const name = suffixName(p);
  const where = p.every !== undefined ? `every=${p.every}` : p.at !== undefined ? `at=${p.at.join('/')}` : 'words';
  const kind = name in PROBE_SUFFIXES ? name : 'custom';
  return `probes(${where}${name === 'raml' ? '' : `,${kind}`}${on.type === 'baseline' ? '' : `,on=${on.describe()}`})`;
}

function onOf(p: ProbesParams, tools: BuildTools): Intervention {
  if (p.on === undefined) return baseline();
  const on = tools.intervention(p.on, '/on');
  if (on.type === 'probes') throw new ParamError('/on', 'probes cannot wrap probes');
  return on;
}

export function describe(p: ProbesParams, tools: BuildTools): string {
  return label(p, onOf(p, tools));
}

export function build(p: ProbesParams, tools: BuildTools): Intervention {
  // `words: false` is the same as leaving it out (exactly one placement is checked by the schema).
  const { on: _on, words, ...rest } = p;
  return probes(words ? { ...rest, words } : rest, onOf(p, tools));
}

export interface ProbesOptions {
  every?: number;
  /** Fractions of the natural thinking length, e.g. [0.25, 0.5, 0.75]. */
  at?: number[];
  /** At natural reflection words. */
  words?: boolean;
  /** 'raml' (default), 'dynasor', 'deer', or a literal suffix. */
  suffix?: string;
  tokens?: number;
}

/**
 * Confidence probes along a trace, composable with any intervention (`on`, default baseline).
 * On the baseline they branch off the trunk as it grows (ascending, so they reuse the server's KV
 * cache); on another intervention they are taken along its final trace afterwards.
 */
export function probes(options: ProbesOptions, on: Intervention = baseline()): Intervention {
  const name = suffixName(options);
  const suffix = (PROBE_SUFFIXES as Record<string, string>)[name] ?? name;
  const kind = name in PROBE_SUFFIXES ? (name as ProbeSuffixName) : 'custom';
  const text = label(options, on);
  return {
    type,
    params: clean({ type, every: options.every, at: options.at, words: options.words, suffix: options.suffix, tokens: options.tokens, ...(on.type === 'baseline' ? {} : { on: on.params }) }),
    describe: () => text,
    ...(on.userSuffix === undefined ? {} : { userSuffix: on.userSuffix }),
    async run(ctx): Promise<InterventionOutput> {
      const found: ProbeOutcome[] = [];
      if (on.type === 'baseline') {
        const trunk = ctx.trunk;
        if (options.every !== undefined) {
          for (let k = options.every; ; k += options.every) {
            const cut = await ctx.truncate(trunk, k);
            if (!cut) break;
            found.push(await ctx.probe(cut, suffix, kind, options.tokens));
          }
        } else if (options.at !== undefined) {
          const c = await ctx.close(trunk);
          for (const f of [...options.at].sort((a, b) => a - b)) {
            const cut = trunk.cutAtThinking(Math.max(1, Math.round(f * c.thinking)));
            if (cut) found.push(await ctx.probe(cut, suffix, kind, options.tokens));
          }
        } else {
          const match = reflectionScanner();
          let from = 0;
          for (;;) {
            const m = await ctx.scan(trunk, from, match);
            if (!m) break;
            found.push(await ctx.probe(m.cut, suffix, kind, options.tokens));
            from = m.tokenIndex + 1;
          }
        }
        const out = await on.run(ctx);
        return { ...out, probes: [...(out.probes ?? []), ...found] };
      }
      const out = await on.run(ctx);
      const { delims, opensInPrompt } = ctx.config;
      const total = countTrace(out.trace, delims, opensInPrompt).thinking;
      const positions: number[] = [];
      if (options.every !== undefined) for (let k = options.every; k < total; k += options.every) positions.push(k);
      else if (options.at !== undefined) for (const f of options.at) positions.push(Math.max(1, Math.round(f * total)));
      for (const k of [...new Set(positions)].sort((a, b) => a - b)) {
        const trace = cutAtThinkingToken(out.trace, k, delims, opensInPrompt);
        if (!trace) continue;
        // A cut at the start of a branch continuing the finished trace's first k thinking tokens.
        const cut = { ...ctx.continueTrace(trace).cutAtTokens(0), thinking: k };
        found.push(await ctx.probe(cut, suffix, kind, options.tokens));
      }
      return { ...out, probes: [...(out.probes ?? []), ...found] };
    },
  };
}
