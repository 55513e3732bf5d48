import { byLevel, type ModelCard } from '../cards/card.ts';
import { solveProblem } from '../../problems/families/index.ts';
import { AnswerIndex, datasetOf, type AnswerKeyEntry } from './answers.ts';
import { logprobIn, sampleIndex, topAlternatives, type Dist } from './dist.ts';
import { hashString, Purpose, uniform } from './hash.ts';
import { belief, dist, initialState, pendingAnswer, read, type Belief, type MindContext, type State } from './mind.ts';
import { chainReasoner, pseudoReasoner, problemDraw, type Reasoner } from './reasoner.ts';
import { createTemplate, markersFor, parsePrompt } from './templates.ts';
import { tokenize } from './tokenizer.ts';
import type { GeneratedToken, Generation, SamplingOptions, SimModel } from './types.ts';

export interface SimModelOptions {
  /** Problems whose answers the model knows (from `--answers`). */
  answers?: AnswerKeyEntry[];
}

/** What the model makes of a prompt's user turn. */
export interface PromptReading {
  /** The question after removing the reasoning instruction and stop instructions. */
  question: string;
  /** The right answer as the simulator knows it (for unknown problems: its own best guess). */
  correct: string;
  difficulty: number;
  /** Where the answer came from: a generated family, the answer key, or a guess. */
  source: 'family' | 'answer-key' | 'guess';
  distractors: readonly string[];
  noThink: boolean;
  budget?: number;
}

/** Reads assistant text token by token, for tests and truth checks. */
export interface SimReader {
  readonly reading: PromptReading;
  read(token: string): void;
  /** The next-token distribution (top 20, raw probabilities). */
  next(): GeneratedToken['top'];
  belief(): Belief;
  /** Probability the belief gives the right answer. */
  pCorrect(): number;
  /** Tokens of assistant text read so far. */
  readonly position: number;
}

export interface SimModelExt extends SimModel {
  readonly card: ModelCard;
  /** How the model reads the problem in a prompt. */
  readPrompt(prompt: string): PromptReading;
  /**
   * The model's belief over candidate answers after `prompt`: when the prompt ends in an answer cue
   * (`\boxed{`), exactly the distribution the answer is written from; otherwise what a cue would
   * sample from if it came now.
   */
  beliefAt(prompt: string): Belief & { correct: string };
  /** A reader positioned after `prompt`, to feed further tokens one by one. */
  reader(prompt: string): SimReader;
}

// No leading or trailing \s* here: on long runs of whitespace that would backtrack quadratically.
const REASONING_SUFFIX = /Please reason step by step,? and put your final answer within \\boxed\{\}\.?/gi;
const NO_THINK = /\/no_think\b|answer (?:directly )?without (?:any )?(?:deliberation|thinking|reasoning)|(?:do not|don't) think/gi;
const BUDGET = /Think for (?:a )?maximum (?:of )?(\d+) tokens\.?/i;

/** A problem-keyed standard normal draw (Box-Muller). */
function gaussian(key: number, i: number): number {
  const u1 = Math.max(1e-12, problemDraw(key, Purpose.prior, i, 1));
  const u2 = problemDraw(key, Purpose.prior, i, 2);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** The difficulty level a card gives an answer-key item: its dataset's level when the card sets one, else the item's own. */
function levelOf(card: ModelCard, entry: AnswerKeyEntry): number {
  const dataset = datasetOf(entry);
  if (dataset === 'gsm8k' && card.levels?.gsm8k !== undefined) return card.levels.gsm8k;
  if (dataset === 'aime' && card.levels?.aime !== undefined) return card.levels.aime;
  return entry.difficulty ?? 3;
}

interface Understood {
  ctx: MindContext;
  reading: PromptReading;
}

interface Loaded extends Understood {
  state: State;
}

/** The user turn's instructions: the question without them, "/no_think", and a token budget. */
function readInstructions(user: string, system: string): { question: string; noThink: boolean; budget?: number } {
  const instructions = `${system}\n${user}`;
  const noThink = new RegExp(NO_THINK.source, 'i').test(instructions);
  const budgetMatch = BUDGET.exec(instructions);
  const question = user.replace(REASONING_SUFFIX, ' ').replace(NO_THINK, ' ').replace(BUDGET, ' ').trim();
  return budgetMatch ? { question, noThink, budget: Number(budgetMatch[1]) } : { question, noThink };
}

/** How the model reasons about a question: a generated family it can solve, the answer key, or a guess. */
function reasonerFor(card: ModelCard, index: AnswerIndex, question: string, key: number): { reasoner: Reasoner; source: PromptReading['source'] } {
  const solution = solveProblem(question);
  const entry = index.size > 0 ? index.find(question) : undefined;
  if (solution) {
    // How hard the model finds it: by the number of steps (equations pack more into each step).
    const n = solution.steps.length;
    const difficulty = solution.family === 'linear-equation' ? Math.min(5, n) : n <= 2 ? 1 : n === 3 ? 2 : n <= 5 ? 3 : n <= 7 ? 4 : 5;
    return { reasoner: chainReasoner(solution, key, difficulty, question), source: 'family' };
  }
  if (entry) {
    return { reasoner: pseudoReasoner(entry.answer, key, levelOf(card, entry), card.length.steps ? { steps: card.length.steps, question } : {}), source: 'answer-key' };
  }
  return { reasoner: pseudoReasoner(String(Math.floor(uniform(key, 12345) * 1000)), key, 3), source: 'guess' };
}

/** Problem-keyed prior logits of the right answer and the distractors. */
function priorFor(card: ModelCard, reasoner: Reasoner, key: number): Map<string, number> {
  const prior = new Map<string, number>();
  prior.set(reasoner.correct, byLevel(card.belief.prior, reasoner.difficulty) + card.belief.priorNoise * gaussian(key, 0));
  reasoner.distractors.forEach((a, i) => {
    if (!prior.has(a)) prior.set(a, card.belief.priorNoise * gaussian(key, i + 1));
  });
  return prior;
}

/** What the model makes of a user turn (cached: a run asks about the same prompt many times). */
function understanding(card: ModelCard, index: AnswerIndex): (user: string, system: string) => Understood {
  const markers = markersFor(card.template.family);
  const contexts = new Map<string, Understood>();
  return (user, system) => {
    const cacheKey = `${system}\u0000${user}`;
    const cached = contexts.get(cacheKey);
    if (cached) return cached;
    const { question, noThink, budget } = readInstructions(user, system);
    const key = hashString(`${card.keyName ?? card.name}\u0000${question.replace(/\s+/g, ' ')}`);
    const { reasoner, source } = reasonerFor(card, index, question, key);
    const withBudget = budget !== undefined ? { budget } : {};
    const ctx: MindContext = {
      r: reasoner,
      card,
      thinkOpen: card.template.thinkOpen,
      thinkClose: card.template.thinkClose,
      eot: markers.endOfTurn,
      noThink,
      ...withBudget,
      prior: priorFor(card, reasoner, key),
    };
    const reading: PromptReading = { question, correct: reasoner.correct, difficulty: reasoner.difficulty, source, distractors: reasoner.distractors, noThink, ...withBudget };
    if (contexts.size > 512) contexts.clear();
    const value = { ctx, reading };
    contexts.set(cacheKey, value);
    return value;
  };
}

function toGenerated(d: Dist, i: number): GeneratedToken {
  return { token: d.tokens[i] ?? '', logprob: Math.log(d.probs[i] ?? 0), top: topAlternatives(d) };
}

/** Writing: pick a token from the distribution with the seed's keyed draw, then read it. */
function generationFrom(loaded: Loaded, sampling: SamplingOptions): Generation {
  const { ctx } = loaded;
  let state = loaded.state;
  let ended = false;
  return {
    next(): GeneratedToken | null {
      if (ended) return null;
      const d = dist(ctx, state);
      const i = sampleIndex(d, sampling, uniform(sampling.seed, state.chars, ctx.r.key, Purpose.sample));
      const token = d.tokens[i] ?? ctx.eot;
      if (token === ctx.eot) {
        ended = true;
        return null;
      }
      const out = toGenerated(d, i);
      state = read(ctx, state, token);
      return out;
    },
  };
}

function scoreContinuation(loaded: Loaded, continuation: string): { logprob: number; tokens: GeneratedToken[] } {
  const { ctx } = loaded;
  let state = loaded.state;
  const tokens: GeneratedToken[] = [];
  let total = 0;
  for (const t of tokenize(continuation)) {
    const d = dist(ctx, state);
    const logprob = logprobIn(d, t);
    total += logprob;
    tokens.push({ token: t, logprob, top: topAlternatives(d) });
    state = read(ctx, state, t);
  }
  return { logprob: total, tokens };
}

function readerFrom(loaded: Loaded): SimReader {
  const { ctx, reading } = loaded;
  let state = loaded.state;
  return {
    reading,
    read(token: string) {
      state = read(ctx, state, token);
    },
    next: () => topAlternatives(dist(ctx, state)),
    belief: () => belief(ctx, state),
    pCorrect() {
      const b = belief(ctx, state);
      const i = b.answers.indexOf(reading.correct);
      return i >= 0 ? (b.probs[i] ?? 0) : 0;
    },
    get position() {
      return state.tokens;
    },
  };
}

export function createSimModel(card: ModelCard, options: SimModelOptions = {}): SimModelExt {
  const understand = understanding(card, new AnswerIndex(options.answers ?? []));

  /** Parses the prompt and reads its assistant part: O(prompt length). */
  const load = (prompt: string): Loaded => {
    const parsed = parsePrompt(prompt, card.template.family, card.template.thinkOpen);
    const { ctx, reading } = understand(parsed.user, parsed.system);
    let state = initialState();
    for (const t of tokenize(parsed.assistant)) state = read(ctx, state, t);
    return { ctx, reading, state };
  };

  return {
    name: card.name,
    contextLength: card.contextLength,
    template: createTemplate(card.template),
    card,
    tokenize,
    start: (prompt: string, sampling: SamplingOptions): Generation => generationFrom(load(prompt), sampling),
    logprobOf: (prompt: string, continuation: string) => scoreContinuation(load(prompt), continuation),
    readPrompt(prompt: string): PromptReading {
      const parsed = parsePrompt(prompt, card.template.family, card.template.thinkOpen);
      return understand(parsed.user, parsed.system).reading;
    },
    beliefAt(prompt: string) {
      const { ctx, state, reading } = load(prompt);
      return { ...(pendingAnswer(ctx, state) ?? belief(ctx, state)), correct: reading.correct };
    },
    reader: (prompt: string): SimReader => readerFrom(load(prompt)),
  };
}
