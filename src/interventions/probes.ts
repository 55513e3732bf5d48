import { cutAtThinkingToken, countTrace } from '../trace/trace.ts';
import type { Cut, ProbeOutcome } from '../engine/tree.ts';
import type { Intervention, InterventionOutput } from '../engine/intervention.ts';
import { clean } from './params.ts';
import { PROBE_SUFFIXES, reflectionScanner, type ProbeSuffixName } from './words.ts';
import { baseline } from './baseline.ts';

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
  const suffixName = options.suffix ?? 'raml';
  const suffix = (PROBE_SUFFIXES as Record<string, string>)[suffixName] ?? suffixName;
  const kind = suffixName in PROBE_SUFFIXES ? (suffixName as ProbeSuffixName) : 'custom';
  const where = options.every !== undefined ? `every=${options.every}` : options.at !== undefined ? `at=${options.at.join('/')}` : 'words';
  const onLabel = on.type === 'baseline' ? '' : `,on=${on.describe()}`;
  return {
    type: 'probes',
    params: clean({ type: 'probes', every: options.every, at: options.at, words: options.words, suffix: options.suffix, tokens: options.tokens, ...(on.type === 'baseline' ? {} : { on: on.params }) }),
    describe: () => `probes(${where}${suffixName === 'raml' ? '' : `,${kind === 'custom' ? 'custom' : suffixName}`}${onLabel})`,
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
        const run = ctx.tree.run(trace, undefined, {});
        const cut: Cut = { run, runTokens: 0, trace, thinking: k };
        found.push(await ctx.probe(cut, suffix, kind, options.tokens));
      }
      return { ...out, probes: [...(out.probes ?? []), ...found] };
    },
  };
}
