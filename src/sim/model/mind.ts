import { equal, frac, type Fraction } from '../../problems/families/fraction.ts';
import { byLevel, type ModelCard } from '../cards/card.ts';
import { hashInts, hashString, Purpose, uniform } from './hash.ts';
import { normalizeDist, type Dist } from './dist.ts';
import {
  CONFIRMATIONS,
  CONNECTORS,
  ELABORATIONS,
  FILLERS,
  HEDGES,
  RECHECK_AFTER,
  RECHECK_AFTER_MORE,
  RECHECK_NOTES,
  SUMMARY_NOTES,
  SUMMARY_OPEN,
  SYNONYMS,
  REFLECTION_AT_END,
} from './phrases.ts';
import type { Reasoner } from './reasoner.ts';
import { tokenize } from './tokenizer.ts';

/**
 * The simulator's mind: a reader/writer state machine over the assistant text.
 *
 * The state holds a plan: the items (fixed text, or a choice among candidate strings) the model
 * intends to write next. Reading a token that continues the plan advances it, exactly as writing
 * that token would; writing is "pick a token from dist(), then read it". So reading one's own
 * output reproduces one's own state, and a prompt that is a prefix of an earlier output continues
 * with the rest of it. Reading anything else is a divergence: the model interprets what was
 * injected (thinking closed, a reflection word, an answer cue, free text) and re-plans from the
 * state it had before the divergence. All choices are token distributions (nothing is decided by
 * the seed outside sampling), so logprobOf is well defined without a seed.
 */

/** Probability mass no listed token gets (the "rest of the vocabulary"). */
const LEAK = 1e-3;
/** Peak-to-peak size (logits) of the per-position wobble of the belief. */
const JITTER = 0.3;

export type Effect = (ctx: MindContext, s: State) => void;

interface TextItem {
  kind: 'text';
  text: string;
  tokens: string[];
  starts: number[];
  /** Filler words may be sampled before words of this text. */
  free: boolean;
  effect?: Effect;
  /** The text of a step before its value: reading it counts as progress on the step. */
  lead?: boolean;
}
interface ChoiceOption {
  text: string;
  p: number;
  tokens: string[];
  starts: number[];
  effect: Effect;
  /** Runs as soon as this option is the only one left (a multi-token word's first token). */
  commit?: Effect;
}
interface ChoiceItem {
  kind: 'choice';
  options: ChoiceOption[];
  /** Set for an answer trie: the candidate answers, in option order. */
  answers?: string[];
  /** Listed first-token alternatives that lead off the options (sampling one is a divergence). */
  extras?: { token: string; p: number }[];
}
interface EotItem {
  kind: 'eot';
}
type Item = TextItem | ChoiceItem | EotItem;

type Cursor =
  | { k: 'open' }
  | { k: 'intro' }
  | { k: 'step'; i: number; connector: boolean }
  | { k: 'after'; i: number }
  | { k: 'conclude'; lead: boolean }
  | { k: 'end' }
  | { k: 'verify'; j: number }
  | { k: 'done' };

export interface State {
  phase: 'pre' | 'think' | 'answer';
  cursor: Cursor;
  /** Trace values of the steps computed so far. */
  values: Fraction[];
  /** Number of steps computed. */
  done: number;
  verified: number;
  doubt: boolean;
  /** The thinking reached its own conclusion ("So the final answer is ..."). */
  concluded: boolean;
  /** The thinking was closed before its conclusion (informational; the belief uses `concluded`). */
  forced: boolean;
  endPasses: number;
  /** A correction happened earlier in the current verification pass. */
  passCorrected: boolean;
  /** Shortened reasoning (a stop instruction the model half-obeys). */
  terse: boolean;
  reflections: number;
  /** The answer the model has committed to in writing, if any. */
  committed?: string;
  plan: Item[];
  at: number;
  off: number;
  alive: number[] | null;
  /** Characters and tokens of assistant text read so far. */
  chars: number;
  tokens: number;
  /** The last few hundred characters of assistant text. */
  tail: string;
  /** Character offset after the last token that continued the plan (keys the belief's wobble). */
  settled: number;
  lastFiller: boolean;
  /** Progress through the text of the step being worked on, 0..0.5 of a step (firms the belief up a little). */
  partial: number;
  /** Set while reading text that departs from the plan: the state before it, and what was read since. */
  free?: { base: State; chars: number; tokens: number; tail: string };
}

export interface MindContext {
  readonly r: Reasoner;
  readonly card: ModelCard;
  readonly thinkOpen: string;
  readonly thinkClose: string;
  readonly eot: string;
  readonly noThink: boolean;
  readonly budget?: number;
  /** Prior logits of the base candidates (right answer first, then distractors). */
  readonly prior: Map<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Items

function textItem(text: string, free = true, effect?: Effect): TextItem {
  const tokens = tokenize(text);
  const starts: number[] = [];
  let at = 0;
  for (const t of tokens) {
    starts.push(at);
    at += t.length;
  }
  return effect ? { kind: 'text', text, tokens, starts, free, effect } : { kind: 'text', text, tokens, starts, free };
}

function choiceItem(options: { text: string; p: number; effect: Effect; commit?: Effect }[]): ChoiceItem {
  const merged: { text: string; p: number; effect: Effect; commit?: Effect }[] = [];
  for (const o of options) {
    if (!(o.p > 0)) continue;
    const same = merged.find((m) => m.text === o.text);
    if (same) same.p += o.p;
    else merged.push({ ...o });
  }
  const total = merged.reduce((a, o) => a + o.p, 0) || 1;
  return {
    kind: 'choice',
    options: merged.map((o) => {
      const tokens = tokenize(o.text);
      const starts: number[] = [];
      let at = 0;
      for (const t of tokens) {
        starts.push(at);
        at += t.length;
      }
      const option: ChoiceOption = { text: o.text, p: (o.p / total) * (1 - LEAK), tokens, starts, effect: o.effect };
      if (o.commit) option.commit = o.commit;
      return option;
    }),
  };
}

function tokenAt(tokens: string[], starts: number[], text: string, off: number): string {
  // Binary search for an aligned token start; fall back to re-tokenizing the rest.
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = starts[mid] ?? 0;
    if (s === off) return tokens[mid] ?? '';
    if (s < off) lo = mid + 1;
    else hi = mid - 1;
  }
  return tokenize(text.slice(off))[0] ?? '';
}

// ---------------------------------------------------------------------------------------------
// State

export function initialState(): State {
  return {
    phase: 'pre',
    cursor: { k: 'open' },
    values: [],
    done: 0,
    verified: 0,
    doubt: false,
    concluded: false,
    forced: false,
    endPasses: 0,
    passCorrected: false,
    terse: false,
    reflections: 0,
    plan: [],
    at: 0,
    off: 0,
    alive: null,
    chars: 0,
    tokens: 0,
    tail: '',
    lastFiller: false,
    partial: 0,
    settled: 0,
  };
}

export function cloneState(s: State): State {
  const c: State = { ...s, values: s.values.slice(), plan: s.plan.slice(s.at), at: 0, alive: s.alive ? s.alive.slice() : null };
  if (!s.free) delete c.free;
  return c;
}

function appendTail(tail: string, text: string): string {
  const t = tail + text;
  return t.length > 1024 ? t.slice(-512) : t;
}

function push(s: State, ...items: Item[]): void {
  s.plan.push(...items);
}

/** Bimodal problem-keyed inclination: most problems rarely do X, a `rate` share usually do. */
function inclination(ctx: MindContext, rate: number, purpose: number, i: number, j = 0): number {
  const { low, high } = ctx.card.inclination ?? { low: 0.04, high: 0.8 };
  return uniform(ctx.r.key, purpose, i, j) < rate ? high : low;
}

/**
 * Whether the thinking is near a token budget named in the prompt. Counted in characters (about
 * 3.3 per token in its traces) so that it does not depend on where a prompt's tokens happen to split.
 */
function nearBudget(ctx: MindContext, s: State): boolean {
  return ctx.budget !== undefined && s.chars >= ctx.budget * 0.75 * 3.3;
}

/** Strides coprime to the sentence bank's size (40). */
const STRIDES = [1, 3, 7, 9, 11, 13, 17, 19];


// ---------------------------------------------------------------------------------------------
// Belief

export interface Belief {
  answers: string[];
  probs: number[];
}

export function belief(ctx: MindContext, s: State): Belief {
  const { r, card } = ctx;
  const implied = r.implied(s.values);
  const answers = [...ctx.prior.keys()];
  if (!answers.includes(implied)) answers.push(implied);
  // Working through a step's text already firms the belief up a little (half a step by its end).
  const rho = Math.min(1, (s.done + s.partial) / Math.max(1, r.steps));
  const b = card.belief;
  let strength = b.strength * Math.pow(rho, b.growth) + b.verifyBonus * Math.min(3, s.verified);
  if (s.doubt) strength *= 1 - b.doubt;
  if (!s.concluded) strength *= 1 - card.earlyTermination.penalty * (1 - rho);
  const priorWeight = 1 - rho;
  // Small position-keyed wobble: real confidence moves a little at every token, not only at steps.
  const wobble = JITTER * (uniform(r.key, Purpose.prior, s.settled, 77) - 0.5);
  const logits = answers.map((a) => (ctx.prior.get(a) ?? -1.5) * priorWeight + (a === implied ? strength + wobble : 0));
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const total = exps.reduce((x, y) => x + y, 0);
  return { answers, probs: exps.map((e) => e / total) };
}

// ---------------------------------------------------------------------------------------------
// Script: what comes next when the plan runs out

/** What follows a written answer: the end of the turn, or (inside the thinking) closing it and restating. */
function afterAnswer(answer: string): Effect {
  return (c, st) => {
    st.committed = answer;
    if (st.phase === 'answer') {
      push(st, { kind: 'eot' });
    } else {
      st.phase = 'answer';
      if (!st.concluded) st.forced = true;
      push(st, textItem(`\n${c.thinkClose}\n\nThe final answer is $\\boxed{${answer}}$.`, false), { kind: 'eot' });
    }
  };
}

/** Mass the right answer keeps when a card's regression makes the model blunder at a cue. */
const BLUNDER_KEEPS = 1e-6;

/**
 * A card's regression at this answer cue: a keyed draw on the problem and the text before the cue
 * (so reading one's own prefix blunders the same way again) decides at a drop / calibratedAccuracy
 * share of cues that the right answer's mass moves to the other candidates, in proportion to theirs.
 * Independent of the trace's own outcome, so every accuracy a becomes exactly a * (1 - share) in
 * expectation whatever the sampling settings.
 */
function withRegression(ctx: MindContext, s: State, bel: Belief): Belief {
  const regression = ctx.card.regression;
  if (!regression || regression.drop <= 0) return bel;
  const share = Math.min(1, regression.drop / regression.calibratedAccuracy);
  const right = bel.answers.indexOf(ctx.r.correct);
  if (right < 0 || uniform(ctx.r.key, Purpose.regression, s.chars, hashString(s.tail)) >= share) return bel;
  const others = 1 - (bel.probs[right] ?? 0);
  if (!(others > 0)) {
    // No other candidate to fall to: a neighbouring number (or a primed symbol) is the blunder.
    const n = Number(ctx.r.correct);
    const wrong = Number.isFinite(n) ? String(n + 1) : `${ctx.r.correct}'`;
    return { answers: [ctx.r.correct, wrong], probs: [BLUNDER_KEEPS, 1 - BLUNDER_KEEPS] };
  }
  const scale = (1 - BLUNDER_KEEPS) / others;
  return { answers: bel.answers, probs: bel.probs.map((p, i) => (i === right ? BLUNDER_KEEPS : p * scale)) };
}

function answerChoice(ctx: MindContext, s: State): ChoiceItem {
  const bel = withRegression(ctx, s, belief(ctx, s));
  const item = choiceItem(bel.answers.map((answer, i) => ({ text: `${answer}}`, p: bel.probs[i] ?? 0, effect: afterAnswer(answer) })));
  item.answers = item.options.map((o) => o.text.slice(0, -1));
  // A few other numbers share the leftover mass, as a real model's top alternatives would show.
  const firsts = new Set(item.options.map((o) => o.tokens[0]));
  const extras: { token: string; p: number }[] = [];
  const base = Number(ctx.r.correct);
  if (Number.isSafeInteger(base)) {
    for (const delta of [1, -1, 2, -2, 5]) {
      const token = tokenize(String(base + delta))[0];
      if (token && !firsts.has(token) && extras.length < 3) {
        firsts.add(token);
        extras.push({ token, p: LEAK / 4 });
      }
    }
  }
  if (extras.length > 0) item.extras = extras;
  return item;
}

/** The distribution of a pending answer trie (the prompt ends at or inside an answer cue), if any. */
export function pendingAnswer(ctx: MindContext, s: State): Belief | undefined {
  const item = s.plan[s.at] ?? ensurePlan(ctx, s);
  if (item.kind !== 'choice' || !item.answers || s.off > 0) return undefined;
  const total = item.options.reduce((a, o) => a + o.p, 0);
  return { answers: item.answers, probs: item.options.map((o) => o.p / total) };
}

function answerSection(ctx: MindContext, s: State, lead: string): void {
  const intro = s.done === 0 ? 'Here is my answer.' : 'Putting the steps together gives the final answer.';
  push(s, textItem(`${lead}${workedSummary(ctx, s)}${intro}\n\n**Final Answer**\n\\boxed{`, true), answerChoice(ctx, s));
}

/** Steps a worked summary lists at most (a long trace is summarised, not replayed). */
const SUMMARY_MAX_STEPS = 10;

/**
 * The worked solution a reasoning model writes after its thinking (cards with `length.summary`):
 * each step done restated with its value, plus a few sentences; from the problem's outline when
 * no step was done (NoThinking), so an answer at equal budget has a real solution in front of it.
 */
function workedSummary(ctx: MindContext, s: State): string {
  const per = ctx.card.length.summary ?? 0;
  if (per <= 0 || s.terse) return '';
  const { r } = ctx;
  const listed = Math.min(SUMMARY_MAX_STEPS, r.steps);
  let out = SUMMARY_OPEN;
  for (let i = 0; i < listed; i++) {
    const v = s.values[i];
    const line = i < s.done && v ? `${r.stepLead(i, s.values).replace(/^, I /, 'We ')}${r.valueText(i, v)}` : ` We ${r.outline(i)}.`;
    const count = Math.floor(per + uniform(r.key, Purpose.phrase, i, 4242));
    let notes = '';
    for (let j = 0; j < count; j++) notes += ` ${SUMMARY_NOTES[(hashInts(r.key, i, j, 31) + j) % SUMMARY_NOTES.length]}`;
    out += `**Step ${i + 1}.**${line.startsWith(' ') ? line : ` ${line}`}${notes}\n\n`;
  }
  return out;
}

function elaboration(ctx: MindContext, s: State, i: number): string {
  if (s.terse) return '';
  let mean = byLevel(ctx.card.length.elaboration, ctx.r.difficulty) * ctx.card.length.scale;
  // With a token budget in the prompt, say only as much as fits (about 25 tokens a step, 11 a sentence).
  if (ctx.budget !== undefined) mean = Math.min(mean, Math.max(0, ((0.7 * ctx.budget) / Math.max(1, ctx.r.steps) - 25) / 11));
  const count = Math.floor(mean + uniform(ctx.r.key, Purpose.phrase, i, 999));
  const notes = ctx.r.notes(i, s.values);
  // Distinct sentences within a step: walk the bank with a stride coprime to its size.
  const n = ELABORATIONS.length;
  const start = hashInts(ctx.r.key, i, Purpose.phrase) % n;
  const stride = STRIDES[hashInts(ctx.r.key, i, 5) % STRIDES.length] ?? 1;
  const hedges = ctx.card.length.hedges ?? 0;
  let out = '';
  for (let j = 0; j < count; j++) {
    const note = j % 4 === 1 ? notes[hashInts(ctx.r.key, i, j) % Math.max(1, notes.length)] : undefined;
    const hedge = hedges > 0 && note === undefined && uniform(ctx.r.key, Purpose.phrase, i, 20_000 + j) < hedges ? HEDGES[hashInts(ctx.r.key, i, j, 61) % HEDGES.length] : undefined;
    out += ` ${note ?? hedge ?? ELABORATIONS[(start + j * stride) % n]}`;
  }
  return out;
}

function valueChoice(ctx: MindContext, s: State, i: number): ChoiceItem {
  const { r, card } = ctx;
  const cv = r.correctValue(i, s.values);
  const slips = r.slips(i, s.values);
  const trap = uniform(r.key, Purpose.trap, i) < byLevel(card.errors.trapRate, ctx.r.difficulty);
  const e = trap ? card.errors.trapSlip : card.errors.baseSlip;
  const options = [{ v: cv, p: 1 - e }];
  if (slips[0]) options.push({ v: slips[0], p: slips[1] ? e * 0.75 : e });
  if (slips[1]) options.push({ v: slips[1], p: e * 0.25 });
  return choiceItem(
    options.map(({ v, p }) => ({
      text: r.valueText(i, v),
      p,
      effect: (c: MindContext, st: State) => {
        st.values[i] = v;
        st.values.length = i + 1;
        st.done = i + 1;
        st.partial = 0;
        st.cursor = { k: 'after', i };
        push(st, textItem(`${elaboration(c, st, i)}\n\n`));
      },
    })),
  );
}

/** Re-computation of step i; `next` is where the trace goes afterwards. */
function recheckChoice(ctx: MindContext, s: State, i: number, next: Cursor): ChoiceItem {
  const { r, card } = ctx;
  const prefix = s.values.slice(0, i);
  const tv = s.values[i] ?? r.correctValue(i, prefix);
  const cv = r.correctValue(i, prefix);
  const options: { v: Fraction; p: number }[] = [];
  if (equal(tv, cv)) {
    const br = inclination(ctx, card.reflection.breakRate, Purpose.breakStep, i, s.endPasses * 7 + s.reflections) * 0.6;
    options.push({ v: cv, p: 1 - br });
    const slip = r.slips(i, prefix)[0];
    if (slip) options.push({ v: slip, p: br });
  } else {
    const ca = s.passCorrected ? 0.95 : inclination(ctx, card.reflection.catchRate, Purpose.catch, i, s.endPasses);
    options.push({ v: cv, p: ca }, { v: tv, p: 1 - ca });
  }
  return choiceItem(
    options.map(({ v, p }) => ({
      text: r.valueText(i, v),
      p,
      effect: (c: MindContext, st: State) => {
        st.doubt = false;
        const before = st.values[i] ?? tv;
        if (equal(v, before)) {
          st.verified += 1;
          push(st, textItem(`${CONFIRMATIONS[hashInts(c.r.key, i, st.reflections) % CONFIRMATIONS.length]}\n\n`));
        } else {
          st.values[i] = v;
          st.passCorrected = true;
          push(st, textItem(`${c.r.correction(i, before, v)}\n\n`));
        }
        st.cursor = next;
      },
    })),
  );
}

function afterStepChoice(ctx: MindContext, s: State, i: number): ChoiceItem {
  const { r, card } = ctx;
  const slipped = !equal(s.values[i] ?? frac(0), r.correctValue(i, s.values.slice(0, i)));
  let pw = inclination(ctx, byLevel(card.reflection.rate, ctx.r.difficulty), Purpose.reflect, i);
  if (slipped) pw = Math.min(0.95, pw + card.reflection.afterError);
  if (s.terse) pw *= 0.3;
  // A token budget in the prompt ("Think for maximum N tokens."): near it, wrap up with what it has.
  const hurry = nearBudget(ctx, s);
  if (hurry) pw = 0;
  const last = i + 1 >= r.steps || hurry;
  const normal = last ? 'So' : (CONNECTORS[hashInts(r.key, i, 77) % CONNECTORS.length] ?? 'Next');
  const nextCursor: Cursor = last ? { k: 'conclude', lead: true } : { k: 'step', i: i + 1, connector: true };
  const doubt: Effect = (_c, st) => {
    st.doubt = true;
  };
  const reflect = (word: string) => (c: MindContext, st: State) => {
    st.doubt = true;
    st.reflections += 1;
    st.passCorrected = false;
    const opener = RECHECK_AFTER[word] ?? RECHECK_AFTER_MORE[word] ?? ',';
    push(st, textItem(`${opener}${recheckNotes(c, i, st.reflections)}${c.r.recheckLead(i, st.values)}`), recheckChoice(c, st, i, nextCursor));
  };
  const weights = reflectionWeights(card);
  return choiceItem([
    ...weights.map(([word, w]) => ({ text: word, p: pw * w, effect: reflect(word), ...(word === 'Alternatively' ? { commit: doubt } : {}) })),
    {
      text: normal,
      p: 1 - pw,
      effect: (_c, st) => {
        st.cursor = last ? { k: 'conclude', lead: false } : { k: 'step', i: i + 1, connector: false };
      },
    },
  ]);
}

const DEFAULT_WORDS: readonly [string, number][] = [
  ['Wait', 0.55],
  ['Hmm', 0.3],
  ['Alternatively', 0.15],
];

/** The card's reflection openers with weights summing to 1. */
function reflectionWeights(card: ModelCard): readonly [string, number][] {
  const words = card.reflection.words ? Object.entries(card.reflection.words).filter(([, w]) => (w ?? 0) > 0) : [];
  if (words.length === 0) return DEFAULT_WORDS;
  const total = words.reduce((a, [, w]) => a + (w ?? 0), 0);
  return words.map(([word, w]) => [word, (w ?? 0) / total]);
}

/** The sentences of a re-check before it re-computes (cards with `reflection.recheckShare`). */
function recheckNotes(ctx: MindContext, i: number, nth: number): string {
  const share = ctx.card.reflection.recheckShare ?? 0;
  if (share <= 0 || ctx.budget !== undefined) return '';
  const mean = share * byLevel(ctx.card.length.elaboration, ctx.r.difficulty) * ctx.card.length.scale;
  const count = Math.floor(mean + uniform(ctx.r.key, Purpose.phrase, i, 5000 + nth));
  const n = RECHECK_NOTES.length;
  const start = hashInts(ctx.r.key, i, nth, 53) % n;
  let out = '';
  for (let j = 0; j < count; j++) out += ` ${RECHECK_NOTES[(start + j * 5) % n]}`;
  return out;
}

function endChoice(ctx: MindContext, s: State): ChoiceItem {
  const { card } = ctx;
  let pe = 0;
  const hurry = nearBudget(ctx, s);
  if (!s.terse && !hurry && s.endPasses < card.reflection.maxEndVerifications) {
    pe = inclination(ctx, card.reflection.endVerifyRate, Purpose.endVerify, s.endPasses) * Math.pow(0.75, s.endPasses);
  }
  return choiceItem([
    {
      text: ctx.thinkClose,
      p: 1 - pe,
      effect: (c, st) => {
        st.phase = 'answer';
        st.cursor = { k: 'done' };
        answerSection(c, st, '\n\n');
      },
    },
    {
      text: 'Wait',
      p: pe * 0.7,
      effect: (c, st) => startVerification(c, st, ', let me verify the whole computation once more.\n\n'),
    },
    {
      text: 'Alternatively',
      p: pe * 0.3,
      effect: (c, st) => startVerification(c, st, ', let me check the answer another way by redoing each step from scratch.\n\n'),
      commit: (_c, st) => {
        st.doubt = true;
      },
    },
  ]);
}

function startVerification(_ctx: MindContext, s: State, text: string): void {
  s.doubt = true;
  s.reflections += 1;
  s.endPasses += 1;
  s.passCorrected = false;
  s.cursor = { k: 'verify', j: 0 };
  push(s, textItem(text));
}

/** Generates the next segment from the cursor. Cursor moves happen in effects, on completion. */
function segment(ctx: MindContext, s: State): void {
  const { r } = ctx;
  const c = s.cursor;
  switch (c.k) {
    case 'open':
      push(
        s,
        textItem(`${ctx.thinkOpen}\n`, false, (_x, st) => {
          st.phase = 'think';
          st.cursor = { k: 'intro' };
        }),
      );
      return;
    case 'intro': {
      if (ctx.noThink && !s.terse) {
        const comply = inclination(ctx, ctx.card.stopInstruction.compliance, Purpose.comply, 0);
        const first = tokenize(r.intro)[0] ?? 'Okay';
        push(
          s,
          choiceItem([
            {
              text: ctx.thinkClose,
              p: comply,
              effect: (x, st) => {
                st.phase = 'answer';
                st.forced = true;
                st.cursor = { k: 'done' };
                answerSection(x, st, '\n\n');
              },
            },
            {
              text: first,
              p: 1 - comply,
              effect: (x, st) => {
                st.terse = true;
                push(st, textItem(x.r.intro.slice(first.length), true, (_y, st2) => (st2.cursor = { k: 'step', i: 0, connector: true })));
              },
            },
          ]),
        );
        return;
      }
      push(s, textItem(r.intro, true, (_x, st) => (st.cursor = { k: 'step', i: 0, connector: true })));
      return;
    }
    case 'step': {
      const connector = c.connector ? (c.i === 0 ? 'First' : (CONNECTORS[hashInts(r.key, c.i - 1, 77) % CONNECTORS.length] ?? 'Next')) : '';
      const lead = textItem(`${connector}${r.stepLead(c.i, s.values)}`);
      lead.lead = true;
      push(s, lead, valueChoice(ctx, s, c.i));
      return;
    }
    case 'after':
      push(s, afterStepChoice(ctx, s, c.i));
      return;
    case 'conclude':
      push(
        s,
        textItem(`${c.lead ? 'So' : ''} the final answer is ${r.spoken(s.values)}.\n\n`, true, (_x, st) => {
          st.concluded = true;
          st.doubt = false;
          st.cursor = { k: 'end' };
        }),
      );
      return;
    case 'end':
      push(s, endChoice(ctx, s));
      return;
    case 'verify': {
      const next: Cursor = c.j + 1 < r.steps ? { k: 'verify', j: c.j + 1 } : { k: 'conclude', lead: true };
      push(s, textItem(`Step ${c.j + 1}:${r.recheckLead(c.j, s.values)}`), recheckChoice(ctx, s, c.j, next));
      return;
    }
    case 'done':
      push(s, { kind: 'eot' });
      return;
  }
}

function ensurePlan(ctx: MindContext, s: State): Item {
  for (let guard = 0; s.at >= s.plan.length; guard++) {
    if (s.at > 0) {
      s.plan = [];
      s.at = 0;
    }
    segment(ctx, s);
    if (guard > 8) throw new Error(`simulator script stalled at ${JSON.stringify(s.cursor)}`);
  }
  const item = s.plan[s.at];
  if (!item) throw new Error('simulator plan is empty');
  return item;
}

function finishItem(ctx: MindContext, s: State, effect: Effect | undefined): void {
  s.at += 1;
  s.off = 0;
  s.alive = null;
  effect?.(ctx, s);
}

// ---------------------------------------------------------------------------------------------
// Distribution over the next token

function fillerAllowed(ctx: MindContext, s: State, item: TextItem, next: string): boolean {
  if (!item.free || s.lastFiller || ctx.card.sampling.fillerMass <= 0) return false;
  if (next.length < 2 || next[0] !== ' ' || !/\p{L}/u.test(next[1] ?? '')) return false;
  // Only where a filler reads naturally: "let me just", "I now", "so I just".
  return / (?:me|I)$/.test(s.tail.slice(-4));
}

/** Synonyms that may replace the planned token here (a whole word of free text), if any. */
function synonymsHere(s: State, item: TextItem, next: string): readonly string[] | undefined {
  if (!item.free) return undefined;
  const options = SYNONYMS[next];
  if (!options) return undefined;
  const after = item.text[s.off + next.length];
  if (after !== undefined && /[\p{L}\p{N}]/u.test(after)) return undefined; // not a whole word
  const prev = s.tail[s.tail.length - 1];
  return prev !== undefined && /[\p{L}\p{N},.]/u.test(prev) ? options : undefined;
}

export function dist(ctx: MindContext, s: State): Dist {
  const item = ensurePlan(ctx, s);
  if (item.kind === 'eot') return { tokens: [ctx.eot], probs: [1 - LEAK] };
  if (item.kind === 'text') {
    const next = tokenAt(item.tokens, item.starts, item.text, s.off);
    const fm = fillerAllowed(ctx, s, item, next) ? ctx.card.sampling.fillerMass : 0;
    const synonyms = synonymsHere(s, item, next);
    if (fm === 0 && !synonyms) return { tokens: [next], probs: [1 - LEAK] };
    const sm = synonyms ? ctx.card.sampling.fillerMass / 2 : 0;
    const tokens = [next];
    const probs = [1 - fm - sm - LEAK];
    if (fm > 0) for (const f of FILLERS) tokens.push(f), probs.push(fm / FILLERS.length);
    if (synonyms) for (const w of synonyms) tokens.push(w), probs.push(sm / synonyms.length);
    return normalizeDist(tokens, probs);
  }
  const alive = s.alive ?? item.options.map((_, i) => i);
  let total = 0;
  const byToken = new Map<string, number>();
  for (const i of alive) {
    const o = item.options[i];
    if (!o) continue;
    total += o.p;
    const t = tokenAt(o.tokens, o.starts, o.text, s.off);
    byToken.set(t, (byToken.get(t) ?? 0) + o.p);
  }
  const scale = s.alive === null ? 1 : 1 / Math.max(total, 1e-300);
  const tokens = [...byToken.keys()];
  const probs = tokens.map((t) => (byToken.get(t) ?? 0) * scale);
  if (s.alive === null && item.extras) {
    for (const extra of item.extras) {
      tokens.push(extra.token);
      probs.push(extra.p);
    }
  }
  return normalizeDist(tokens, probs);
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Tries to read `t` as the continuation of the plan. Leaves `s` untouched when it returns false. */
function advance(ctx: MindContext, s: State, t: string): boolean {
  const item = ensurePlan(ctx, s);
  if (item.kind === 'eot') return false;
  if (item.kind === 'text') {
    const rest = item.text.length - s.off;
    if (t.length <= rest && item.text.startsWith(t, s.off)) {
      s.off += t.length;
      s.lastFiller = false;
      if (item.lead) s.partial = (0.5 * s.off) / item.text.length;
      if (s.off === item.text.length) finishItem(ctx, s, item.effect);
      return true;
    }
    const planned = tokenAt(item.tokens, item.starts, item.text, s.off);
    if (FILLERS.includes(t) && fillerAllowed(ctx, s, item, planned)) {
      s.lastFiller = true;
      return true;
    }
    if (synonymsHere(s, item, planned)?.includes(t)) {
      // Substitution: the synonym stands for the planned word.
      s.off += planned.length;
      s.lastFiller = false;
      if (s.off === item.text.length) finishItem(ctx, s, item.effect);
      return true;
    }
    if (t.length > rest && t.startsWith(item.text.slice(s.off))) {
      const done = item.effect;
      const finishLead: Effect = (c, st) => {
        st.partial = 0.5;
        done?.(c, st);
      };
      return overrun(ctx, s, t, rest, () => (item.lead ? finishLead : done));
    }
    return false;
  }
  const alive = s.alive ?? item.options.map((_, i) => i);
  let next = alive.filter((i) => {
    const o = item.options[i];
    return o !== undefined && tokenAt(o.tokens, o.starts, o.text, s.off) === t;
  });
  if (next.length === 0) next = alive.filter((i) => item.options[i]?.text.startsWith(t, s.off) === true);
  if (next.length > 0) {
    s.off += t.length;
    s.alive = next;
    s.lastFiller = false;
    const only = next.length === 1 && alive.length > 1 ? item.options[next[0]!] : undefined;
    only?.commit?.(ctx, s);
    const complete = next.find((i) => item.options[i]?.text.length === s.off);
    if (complete !== undefined) finishItem(ctx, s, item.options[complete]?.effect);
    return true;
  }
  for (const i of alive) {
    const o = item.options[i];
    if (!o) continue;
    const rest = o.text.length - s.off;
    if (t.length > rest && t.startsWith(o.text.slice(s.off))) return overrun(ctx, s, t, rest, () => o.effect);
  }
  return false;
}

/** A token that completes the current item and runs into the next ones. */
function overrun(ctx: MindContext, s: State, t: string, rest: number, effect: () => Effect | undefined): boolean {
  const trial = cloneState(s);
  trial.off = 0;
  trial.at = 1;
  trial.alive = null;
  effect()?.(ctx, trial);
  if (!advance(ctx, trial, t.slice(rest))) return false;
  Object.assign(s, trial);
  return true;
}

function bump(s: State, t: string): void {
  s.chars += t.length;
  s.settled = s.chars;
  s.tokens += 1;
  s.tail = appendTail(s.tail, t);
}

/** Reads one token of assistant text (own output or prompt). May return a new state object. */
export function read(ctx: MindContext, s: State, t: string): State {
  if (advance(ctx, s, t)) {
    if (s.free) delete s.free;
    bump(s, t);
    return s;
  }
  const f = s.free;
  if (f) return interpret(ctx, f.base, { chars: f.chars + t.length, tokens: f.tokens + 1, tail: appendTail(f.tail, t) });
  return interpret(ctx, cloneState(s), { chars: t.length, tokens: 1, tail: appendTail(s.tail, t) });
}

// ---------------------------------------------------------------------------------------------
// Divergence: make sense of injected text and re-plan

function glueAfter(text: string): string {
  const last = text[text.length - 1] ?? '\n';
  if (/\s/.test(last)) return text.endsWith('\n\n') || !text.endsWith('\n') ? '' : '\n';
  if (/[.!?…:]/.test(last)) return '\n\n';
  return '.\n\n';
}

/** Re-plans from `base` (the state before the divergence) given what was read since (O(1) per token). */
/** A `\\boxed{` still open at the end of the text (short, one line): its content and brace depth. */
function openBoxed(tail: string): { inner: string; depth: number } | undefined {
  const at = tail.lastIndexOf('\\boxed{');
  if (at < 0) return undefined;
  const inner = tail.slice(at + 7);
  if (inner.length === 0 || inner.length > 60 || inner.includes('\n')) return undefined;
  let depth = 1;
  for (const ch of inner) {
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    if (depth === 0) return undefined;
  }
  return { inner: `${inner.trim()}${'}'.repeat(depth - 1)}`, depth };
}

/** The answer of a `\\boxed{...}` that the text ends by closing (short, one line), if any. */
function closedBoxedAtEnd(end: string): string | undefined {
  if (!end.endsWith('}')) return undefined;
  const at = end.lastIndexOf('\\boxed{');
  if (at < 0) return undefined;
  const inner = end.slice(at + 7, -1);
  if (inner.length > 60 || inner.includes('\n')) return undefined;
  let depth = 0;
  for (const ch of inner) {
    if (ch === '{') depth++;
    else if (ch === '}' && --depth < 0) return undefined;
  }
  return depth === 0 ? inner.trim() : undefined;
}

type Since = { chars: number; tokens: number; tail: string };

/** The state before a divergence, moved to its end with an empty plan (re-planned by the caller). */
function divergedState(base: State, since: Since): State {
  const s = cloneState(base);
  s.chars = base.chars + since.chars;
  s.tokens = base.tokens + since.tokens;
  s.tail = since.tail;
  s.free = { base, ...since };
  s.plan = [];
  s.at = 0;
  s.off = 0;
  s.alive = null;
  s.lastFiller = false;
  if (s.phase === 'pre') s.phase = 'think';
  if (s.cursor.k === 'open') s.cursor = { k: 'intro' };
  return s;
}

/** The end of the turn or an answer being written (a cue, an open or closed box): plans it and says so. */
function planAnswerCue(ctx: MindContext, s: State, tail: string, end: string): boolean {
  if (end.endsWith(ctx.eot)) {
    push(s, { kind: 'eot' });
    return true;
  }
  if (/\\boxed\{$/.test(tail)) {
    push(s, answerChoice(ctx, s));
    return true;
  }
  if (/\\boxed$/.test(tail)) {
    push(s, textItem('{', false), answerChoice(ctx, s));
    return true;
  }
  const open = openBoxed(tail);
  if (open) {
    // An answer was written (or forced) that is none of the candidates: close it and go on.
    push(s, textItem('}'.repeat(open.depth), false, afterAnswer(open.inner)));
    return true;
  }
  // The same box read back closed (its brace may come in another token than the one written):
  // what writing that brace did, so reading one's own continuation reproduces its state.
  const closed = closedBoxedAtEnd(end);
  if (closed !== undefined && end.length === tail.length) {
    afterAnswer(closed)(ctx, s);
    return true;
  }
  if (/(?:\*\*Final Answer\*\*:?|Final Answer:)$/i.test(end) || /(?:the|my|final) answer is:?$/i.test(end)) {
    const lead = end.length < tail.length ? '' : end.endsWith('**') ? '\n' : ' ';
    push(s, textItem(`${lead}\\boxed{`, false), answerChoice(ctx, s));
    return true;
  }
  return false;
}

/** Thinking closed by the injected text (nothing written after the delimiter yet): answer now. */
function planAfterClose(ctx: MindContext, s: State, tail: string): boolean {
  const closeAt = tail.lastIndexOf(ctx.thinkClose);
  if (s.phase !== 'think' || closeAt < 0 || closeAt <= tail.lastIndexOf(ctx.thinkOpen)) return false;
  const after = tail.slice(closeAt + ctx.thinkClose.length);
  if (/[\p{L}\p{N}]/u.test(after)) return false;
  s.phase = 'answer';
  if (!s.concluded) s.forced = true;
  s.doubt = false;
  s.cursor = { k: 'done' };
  answerSection(ctx, s, /\s$/.test(tail) ? '' : '\n\n');
  return true;
}

/** A reflection word at the end of the text: re-check the last step, or verify the whole computation. */
function planReflection(ctx: MindContext, s: State, tail: string, end: string): void {
  const trailingSpace = end.length < tail.length;
  const last = end[end.length - 1] ?? '';
  const lead = trailingSpace ? '' : /[\p{L}\p{N}]/u.test(last) ? ',' : /[.!?…]/.test(last) ? '' : '';
  const sep = trailingSpace ? '' : ' ';
  const cap = trailingSpace || /[.!?…]/.test(last) ? 'L' : 'l';
  s.doubt = true;
  s.reflections += 1;
  s.passCorrected = false;
  if (s.concluded || s.cursor.k === 'end') {
    s.concluded = true;
    startVerification(ctx, s, `${lead}${sep}${cap}et me go through the whole computation once more.\n\n`);
    return;
  }
  const i = s.done - 1;
  const next: Cursor = s.done >= ctx.r.steps ? { k: 'conclude', lead: true } : { k: 'step', i: s.done, connector: true };
  if (i >= 0) {
    push(s, textItem(`${lead}${sep}${cap}et me double-check the last step.${ctx.r.recheckLead(i, s.values)}`), recheckChoice(ctx, s, i, next));
  } else {
    s.doubt = false;
    push(s, textItem(`${lead}${sep}${cap}et me start from the beginning.\n\n`));
  }
}

function interpret(ctx: MindContext, base: State, since: Since): State {
  const s = divergedState(base, since);
  const tail = s.tail;
  const end = tail.trimEnd();
  if (planAnswerCue(ctx, s, tail, end) || planAfterClose(ctx, s, tail)) return s;
  if (s.phase === 'answer') {
    s.cursor = { k: 'done' };
    if (s.committed) push(s, { kind: 'eot' });
    else answerSection(ctx, s, glueAfter(tail));
    return s;
  }
  if (REFLECTION_AT_END.test(tail)) {
    planReflection(ctx, s, tail, end);
    return s;
  }
  // Free text: finish the sentence and carry on from where the reasoning was.
  const glue = glueAfter(tail);
  if (glue) push(s, textItem(glue, false));
  if (s.cursor.k === 'step') s.cursor = { k: 'step', i: s.cursor.i, connector: true };
  if (s.cursor.k === 'conclude') s.cursor = { k: 'conclude', lead: true };
  return s;
}
