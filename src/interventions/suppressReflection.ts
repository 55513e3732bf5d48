import { Type, type Static } from '@sinclair/typebox';
import type { CompletionToken } from '../backends/backend.ts';
import { PositiveInt } from '../core/typebox.ts';
import type { Intervention } from '../plan/intervention.ts';
import type { Branch } from '../plan/tree-api.ts';
import { fullText } from '../trace/trace.ts';
import { OptionalWords } from './define.ts';
import { NOWAIT_WORDS } from './words.ts';

export const type = 'suppressReflection';
export const schema = Type.Object({ words: OptionalWords(), maxSubstitutions: Type.Optional(PositiveInt()) }, { additionalProperties: false });
export type SuppressReflectionParams = Static<typeof schema>;

export function describe(p: SuppressReflectionParams): string {
  return p.words === undefined ? 'suppressReflection' : `suppressReflection(${p.words.join('|')})`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether `text` (the model's next token, and what follows it when known) begins a banned word or
 * phrase as a whole word: at a word boundary (`before` = the trace's text before it) and not
 * followed by a letter or digit ("wait," yes; "await", "waiting", "threshold on" no).
 * Case-insensitive, like the stop strings. `complete`: nothing more follows `text`. Returns
 * undefined when more text is needed to decide ("Wa" may become "Wait" or "Water").
 */
export function bannedWordAt(words: readonly string[], before: string, text: string, complete: boolean): boolean | undefined {
  const lead = /^[\s*_"'(]*/.exec(text)?.[0] ?? '';
  if (lead === '' && /[\p{L}\p{N}]$/u.test(before)) return false;
  const t = text.slice(lead.length);
  let undecided = false;
  for (const word of words) {
    const parts = word.trim().split(/\s+/);
    const m = new RegExp(`^${parts.map(escape).join('\\s+')}`, 'iu').exec(t);
    if (m) {
      const next = t[m[0].length];
      if (next === undefined) {
        if (complete) return true;
        undecided = true;
      } else if (!/[\p{L}\p{N}]/u.test(next)) return true;
      continue;
    }
    // A prefix of the phrase so far ("Wa", "hold o"): more text decides.
    if (!complete && t.length > 0 && parts.join(' ').toLowerCase().startsWith(t.replace(/\s+/g, ' ').toLowerCase())) undecided = true;
  }
  return undecided ? undefined : false;
}

/** Tokens read past a stop to tell a banned word from a longer one ("wait" from "waiting"). */
const PEEK_TOKENS = 8;

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
export function build(options: SuppressReflectionParams = {}): Intervention {
  const words = options.words ?? [...NOWAIT_WORDS];
  const stop = variants(words);
  const maxSubs = options.maxSubstitutions ?? 200;
  return {
    type,
    params: options.words === undefined ? { type } : { type, words },
    describe: () => describe(options),
    async run(ctx) {
      let run: Branch = ctx.prefill(ctx.start(), '', 'suppressReflection', { stop });
      const substitutions: { position: number; banned: string; chosen: string }[] = [];
      const notes: string[] = [];
      for (;;) {
        const f = await ctx.generate(run);
        if (f.capped || f.ending === 'answer-limit') {
          return { trace: f.trace, capFired: f.capped, ...(f.capped ? { cap: f.capAt ?? 0 } : {}), substitutions, ...(notes.length ? { notes } : {}) };
        }
        const last = f.last;
        const end = last.cutAtTokens(last.tokens.length);
        if (last.closed) {
          // The ban covers the thinking. Once it has closed, a stop is either the end of the turn or a
          // banned word in the answer: the answer goes on without the ban, within the trace's one
          // answer limit (substituting there restarted the answer round after round).
          const rest = await ctx.generate(ctx.choose(end, []));
          return { trace: rest.trace, capFired: false, substitutions, ...(notes.length ? { notes } : {}) };
        }
        // Stopped inside the thinking: the model's end of turn, or a banned word. One token with 20 alternatives tells which.
        const [tok] = await ctx.peek(ctx.choose(end, [], { topLogprobs: 20 }), 1);
        if (!tok || substitutions.length >= maxSubs) {
          if (tok) notes.push(`stopped after ${maxSubs} substitutions`);
          return { trace: f.trace, capFired: false, substitutions, ...(notes.length ? { notes } : {}) };
        }
        let chosen: CompletionToken = tok;
        const before = fullText(end.trace);
        // The server's stop strings match anywhere ("await", "waiting"): only a whole banned word is replaced.
        let verdict = bannedWordAt(words, before, tok.text, false);
        if (verdict === undefined) {
          // Read on along the model's own continuation (the very run `choose` makes when it is allowed).
          const peek = ctx.choose(end, [tok], { stop });
          for (let n = 1; verdict === undefined; n++) {
            const got = await ctx.peek(peek, n);
            const complete = got.length < n || n >= PEEK_TOKENS;
            verdict = bannedWordAt(words, before, tok.text + got.map((t) => t.text).join(''), complete);
          }
        }
        if (verdict) {
          // An alternative that could still begin a banned word ("Wa") is not taken: the next
          // request's stop strings would not see a word that starts in its prompt.
          const alt = tok.top.find((a) => bannedWordAt(words, before, a.text, false) === false);
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

export const suppressReflection = build;
