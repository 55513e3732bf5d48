import type { CompletionToken } from '../backends/backend.ts';
import type { Run } from '../engine/tree.ts';
import type { Intervention } from './types.ts';
import { NOWAIT_WORDS } from './words.ts';

function variants(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (const w of words) {
    out.add(w);
    out.add(w.toLowerCase());
    out.add(w.charAt(0).toUpperCase() + w.slice(1));
  }
  return [...out];
}

/**
 * NoWait by emulation (Ollama has no logit_bias): generate with the banned words as stop strings;
 * where one stops the model, ask for that one token with 20 alternatives and continue with the
 * most likely allowed one. Exact under greedy decoding (temperature 0); under sampling it is
 * "the best allowed alternative", not a renormalised sample.
 */
export function suppressReflection(options: { words?: string[]; maxSubstitutions?: number } = {}): Intervention {
  const words = options.words ?? [...NOWAIT_WORDS];
  const stop = variants(words);
  const firsts = words.map((w) => (w.split(/\s+/)[0] ?? w).toLowerCase());
  const banned = (text: string): boolean => {
    const t = text.replace(/^[\s*_"'(]+/, '').toLowerCase();
    return firsts.some((w) => t.startsWith(w) || (t.length > 0 && w.startsWith(t) && t.length >= 2));
  };
  const maxSubs = options.maxSubstitutions ?? 200;
  return {
    type: 'suppressReflection',
    params: options.words === undefined ? { type: 'suppressReflection' } : { type: 'suppressReflection', words },
    describe: () => (options.words === undefined ? 'suppressReflection' : `suppressReflection(${words.join('|')})`),
    async run(ctx) {
      let run: Run = ctx.prefill(ctx.start(), '', 'suppressReflection', { stop });
      const substitutions: { position: number; banned: string; chosen: string }[] = [];
      const notes: string[] = [];
      for (;;) {
        const f = await ctx.generate(run);
        if (f.capped || f.ending === 'answer-limit') {
          return { trace: f.trace, capFired: f.capped, ...(f.capped ? { cap: f.capAt ?? 0 } : {}), substitutions };
        }
        // Stopped: the model's end of turn, or a banned word. One token with 20 alternatives tells which.
        const last = f.last;
        const end = last.cutAtTokens(last.stream.tokens.length);
        const one = ctx.tree.branch(end, {}, { topLogprobs: 20 });
        await one.stream.ensure(1, ctx.tree.worker);
        ctx.consumer.mark(one.stream, Math.min(1, one.stream.tokens.length));
        const tok = one.stream.tokens[0];
        if (!tok || substitutions.length >= maxSubs) {
          if (tok) notes.push(`stopped after ${maxSubs} substitutions`);
          return { trace: f.trace, capFired: false, substitutions, ...(notes.length ? { notes } : {}) };
        }
        let chosen: CompletionToken = tok;
        if (banned(tok.text)) {
          const alt = tok.top.find((a) => !banned(a.text));
          if (!alt) {
            notes.push(`no allowed alternative at thinking token ${end.thinking}`);
            return { trace: f.trace, capFired: false, substitutions, notes };
          }
          chosen = { text: alt.text, logprob: alt.logprob, top: tok.top };
          substitutions.push({ position: end.thinking, banned: tok.text, chosen: alt.text });
        }
        run = ctx.choose(end, [chosen], { stop });
      }
    },
  };
}
