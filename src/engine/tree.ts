import type { CompletionToken } from '../backends/backend.ts';
import {
  appendGenerated,
  appendGeneratedText,
  appendInjected,
  continuationText,
  countTrace,
  cutAtOffset,
  fullText,
  splitText,
  traceOf,
  type Trace,
} from '../trace/trace.ts';
import { answerAfterSuffix } from '../confidence/answer.ts';
import { tokensOverlapping } from '../confidence/self-confidence.ts';
import { Stream, type StreamSpec, type Worker } from './stream.ts';
import type {
  Branch as PlanBranch,
  CloseOutcome as PlanCloseOutcome,
  Cut as PlanCut,
  Finished as PlanFinished,
  Match as PlanMatch,
  ProbeOutcome,
  RunOptions,
  ScanMatcher,
  TextScanner,
  TokenMatcher,
  TreeConfig,
} from '../plan/tree-api.ts';

/**
 * One trace tree: the trunk (problem x prompt variant x sample) and every branch the
 * interventions hang off it. Intervention programs run as cooperating async tasks; they block on
 * conditions of a run ("the trunk has k thinking tokens", "the thinking closed", ...). When every
 * live task is blocked, the scheduler extends the most recently created run that someone waits on,
 * by exactly as much as the nearest condition needs. So the trunk is walked in ascending position:
 * generated up to the next branch point, the branches there run (their prompts extend what the
 * server slot holds), then the trunk continues from its own prefix. All of a tree's requests go to
 * one worker, one at a time (one server slot).
 */

export { S1_CLOSE } from '../plan/caps.ts';

export type { TreeConfig, RunOptions, TokenMatcher, TextScanner, ScanMatcher, ProbeOutcome };

/** A result ran out of its request budget: an error of that result only, never of the run. */
export class ResultBudgetError extends Error {
  override readonly name = 'ResultBudgetError';
}

/** The default request budget of one result: generous for real use, finite whatever a server does. */
export function defaultRequestBudget(maxThinkingTokens: number, answerTokens: number): number {
  return 2 * (maxThinkingTokens + answerTokens) + 256;
}

/** The engine's cut: the plan's Cut on one of this engine's branches. */
export interface Cut extends PlanCut {
  readonly run: Branch;
}

export type CloseOutcome = PlanCloseOutcome<Cut>;
export type Finished = PlanFinished<Branch>;
export type Match = PlanMatch<Cut>;

interface Analysis {
  length: number;
  thinking: number;
  closed: boolean;
  /** Offset of the close in the continuation text. */
  closeOffset?: number;
  /** Run tokens lying wholly before the close. */
  closeRunTokens?: number;
  /** Index of the first run token at or after the answer start (= length when none yet). */
  answerRunStart?: number;
  /** thinkIdx[j] = run tokens needed to hold baseThinking + j + 1 thinking tokens. */
  thinkIdx: number[];
}

type Condition =
  | { kind: 'reach'; k: number }
  | { kind: 'close' }
  | { kind: 'answer' }
  | { kind: 'scan'; from: number; match: ScanMatcher; memo?: ScanMemo };

/**
 * The last answer of a scan condition and what it was asked on: a matcher is a function of the
 * tokens it is shown (TextScanner's contract), and the scheduler asks again after every request
 * of the tree, most of them for other runs.
 */
interface ScanMemo {
  length: number;
  final: boolean;
  found: number | undefined;
}

/** Tokens before the scan's start a text scanner sees again (a phrase overlapping the start). */
const SCAN_CONTEXT_TOKENS = 16;

interface Waiter {
  run: Branch;
  cond: Condition;
  /** The result waiting: requests made for it draw on its budget. */
  consumer: Consumer | undefined;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Consumers are the result records (and their probes): cost is attributed to what they used. */
export class Consumer {
  readonly marks = new Map<Stream, number>();
  /** Requests drawn on this result's budget so far (shared trunk chunks count for every result waiting on them). */
  requests = 0;
  constructor(
    readonly id: string,
    readonly maxRequests = Number.POSITIVE_INFINITY,
  ) {}
  /** Draws one request; false when the budget is spent. */
  draw(): boolean {
    this.requests++;
    return this.requests <= this.maxRequests;
  }
  get overBudget(): boolean {
    return this.requests > this.maxRequests;
  }
  mark(stream: Stream, tokens: number): void {
    const prev = this.marks.get(stream);
    if (prev === undefined || tokens > prev) this.marks.set(stream, tokens);
    if (stream.parent) this.mark(stream.parent.stream, stream.parent.tokens);
  }
}

export class Branch implements PlanBranch {
  private cache: Analysis | undefined;
  /** Set when a request of this run's stream failed: whoever waits on it gets the same error. */
  failure: unknown;
  readonly baseCont: string;
  readonly baseThinking: number;
  /** Answer tokens the base already holds: the answer limit is the trace's total, not this run's. */
  readonly baseAnswer: number;
  readonly thinkingLimit: number;
  readonly answerLimit: number;

  constructor(
    readonly tree: Tree,
    readonly index: number,
    readonly stream: Stream,
    readonly base: Trace,
    options: RunOptions,
  ) {
    this.baseCont = continuationText(base);
    const counts = countTrace(base, tree.config.delims, tree.config.opensInPrompt);
    this.baseThinking = counts.thinking;
    this.baseAnswer = counts.answer;
    // No run may think past the trace's hard cap, whatever an intervention asks for.
    this.thinkingLimit = Math.min(options.thinkingLimit ?? tree.config.maxThinkingTokens, tree.config.maxThinkingTokens);
    this.answerLimit = options.answerLimit ?? tree.config.answerTokens;
  }

  get tokens(): readonly CompletionToken[] {
    return this.stream.tokens;
  }

  get closed(): boolean {
    return this.analyze().closed;
  }

  analyze(): Analysis {
    const tokens = this.stream.tokens;
    if (this.cache?.length === tokens.length) return this.cache;
    const { delims, opensInPrompt } = this.tree.config;
    const split = splitText(this.baseCont + this.stream.text, delims, opensInPrompt);
    const end = split.thinkingEnd ?? Number.POSITIVE_INFINITY;
    const answerStart = split.answerStart ?? Number.POSITIVE_INFINITY;
    let thinking = this.baseThinking;
    let closeRunTokens = 0;
    let answerRunStart: number | undefined;
    const thinkIdx: number[] = [];
    let o = this.baseCont.length;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] as CompletionToken;
      const s = o;
      o += t.text.length;
      if (o <= end) closeRunTokens = i + 1;
      if (s >= split.thinkingStart && o <= end) {
        thinking++;
        thinkIdx.push(i + 1);
      }
      if (answerRunStart === undefined && s >= answerStart) answerRunStart = i;
    }
    const closed = split.thinkingEnd !== undefined;
    const a: Analysis = { length: tokens.length, thinking, closed, thinkIdx };
    if (split.thinkingEnd !== undefined) {
      a.closeOffset = split.thinkingEnd;
      a.closeRunTokens = closeRunTokens;
      a.answerRunStart = answerRunStart ?? tokens.length;
    }
    this.cache = a;
    return a;
  }

  atLimit(a: Analysis = this.analyze()): boolean {
    return !a.closed && a.thinking >= this.thinkingLimit;
  }

  /** Run tokens through the end of the answer the limit allows (counting the base's answer tokens). */
  answerEnd(a: Analysis = this.analyze()): number {
    return (a.answerRunStart ?? a.length) + Math.max(0, this.answerLimit - this.baseAnswer);
  }

  satisfied(cond: Condition): boolean {
    const a = this.analyze();
    if (this.stream.ended || this.atLimit(a)) return true;
    switch (cond.kind) {
      case 'reach':
        return a.closed || a.thinking >= cond.k;
      case 'close':
        return a.closed;
      case 'answer':
        return a.closed && a.length >= this.answerEnd(a);
      case 'scan':
        return a.closed || this.findMatch(cond, a) !== undefined;
    }
  }

  /** How many stream tokens the condition needs next. */
  target(cond: Condition): number {
    const a = this.analyze();
    const toLimit = a.length + Math.max(1, this.thinkingLimit - a.thinking);
    switch (cond.kind) {
      case 'reach':
        return Math.min(toLimit, a.length + Math.max(1, cond.k - a.thinking));
      case 'close':
        return toLimit;
      case 'answer':
        return a.closed ? this.answerEnd(a) : toLimit;
      case 'scan':
        return Math.min(toLimit, a.length + this.tree.config.scanChunk);
    }
  }

  findMatch(cond: Extract<Condition, { kind: 'scan' }>, a: Analysis = this.analyze()): number | undefined {
    const final = a.closed || this.stream.ended || this.atLimit(a);
    const memo = cond.memo;
    if (memo && memo.length === a.length && memo.final === final) return memo.found;
    const found = this.search(cond, a, final);
    cond.memo = { length: a.length, final, found };
    return found;
  }

  private search(cond: Extract<Condition, { kind: 'scan' }>, a: Analysis, final: boolean): number | undefined {
    const tokens = this.stream.tokens;
    const limit = a.closed ? (a.closeRunTokens ?? 0) : a.thinkIdx[a.thinkIdx.length - 1] ?? 0;
    const match = cond.match;
    if (typeof match !== 'function') {
      if (cond.from >= limit) return undefined;
      const start = Math.max(0, cond.from - SCAN_CONTEXT_TOKENS);
      const context = (start === 0 ? this.baseCont : (tokens[start - 1] as CompletionToken).text).slice(-64);
      const texts = tokens.slice(start, limit).map((t) => t.text);
      const i = match.find(context, texts, cond.from - start, final);
      return i === undefined ? undefined : start + i;
    }
    let before = this.baseCont + tokens.slice(0, cond.from).map((t) => t.text).join('');
    for (let i = cond.from; i < limit; i++) {
      const t = tokens[i] as CompletionToken;
      if (match(t, before)) return i;
      before += t.text;
    }
    return undefined;
  }

  traceAt(runTokens: number): Trace {
    const tokens = this.stream.tokens.slice(0, runTokens);
    return appendGeneratedText(this.base, tokens, this.stream.textOf(tokens.length));
  }

  cutAtTokens(runTokens: number): Cut {
    const trace = this.traceAt(runTokens);
    const thinking = countTrace(trace, this.tree.config.delims, this.tree.config.opensInPrompt).thinking;
    return { run: this, runTokens, trace, thinking };
  }

  /** Cut right after total thinking token k (k > baseThinking), when the run has it. */
  cutAtThinking(k: number): Cut | undefined {
    const a = this.analyze();
    if (k <= this.baseThinking) return { run: this, runTokens: 0, trace: this.base, thinking: this.baseThinking };
    const idx = a.thinkIdx[k - this.baseThinking - 1];
    if (idx === undefined) return undefined;
    return { run: this, runTokens: idx, trace: this.traceAt(idx), thinking: k };
  }

  /** Cut at the close delimiter (character offset; a token holding the close keeps its text before it). */
  cutAtClose(): Cut | undefined {
    const a = this.analyze();
    if (!a.closed || a.closeOffset === undefined) return undefined;
    const runTokens = a.closeRunTokens ?? 0;
    const full = this.traceAt(a.length);
    const cut = cutAtOffset(full, a.closeOffset);
    return { run: this, runTokens, trace: cut, thinking: a.thinking };
  }
}

function budgetError(consumer: Consumer): ResultBudgetError {
  return new ResultBudgetError(`result ${consumer.id} used its budget of ${consumer.maxRequests} requests`);
}

export class Tree {
  readonly runs: Branch[] = [];
  private readonly runByKey = new Map<string, Branch>();
  private live = 0;
  private waiters: Waiter[] = [];
  private advancing = false;
  readonly consumers: Consumer[] = [];
  readonly root: Branch;

  constructor(
    readonly key: string,
    readonly prompt: string,
    readonly config: TreeConfig,
    readonly worker: Worker,
    private readonly streams: Map<string, Stream>,
  ) {
    this.root = this.run(traceOf(prompt), undefined, {});
  }

  streamFor(prompt: string, parent: { stream: Stream; tokens: number } | undefined, options: RunOptions): Stream {
    const spec: StreamSpec = {
      prompt,
      stop: [...this.config.stop, ...(options.stop ?? [])],
      seed: this.config.seed,
      sampling: this.config.sampling,
      topLogprobs: options.topLogprobs ?? this.config.topLogprobs,
      namespace: this.config.namespace,
    };
    const key = this.worker.chunkKey(spec, prompt).key;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = new Stream(key, spec, parent);
      this.streams.set(key, stream);
    }
    return stream;
  }

  /** A run from a base trace (content-addressed: the same base and options give the same run). */
  run(base: Trace, parent: { stream: Stream; tokens: number } | undefined, options: RunOptions): Branch {
    const prompt = fullText(base);
    const stream = this.streamFor(prompt, parent, options);
    const key = JSON.stringify([stream.key, options.thinkingLimit ?? null, options.answerLimit ?? null]);
    let run = this.runByKey.get(key);
    if (!run) {
      run = new Branch(this, this.runs.length, stream, base, options);
      this.runs.push(run);
      this.runByKey.set(key, run);
    }
    return run;
  }

  /** Branch: the cut's trace + injected text (or chosen tokens) as a new run's prompt. */
  branch(cut: Cut, inject: { text?: string; label?: string; tokens?: CompletionToken[] }, options: RunOptions = {}): Branch {
    let base = cut.trace;
    if (inject.text) base = appendInjected(base, inject.text, inject.label ?? 'injected');
    if (inject.tokens) base = appendGenerated(base, inject.tokens);
    return this.run(base, { stream: cut.run.stream, tokens: cut.runTokens }, options);
  }

  /**
   * Holds the scheduler while tasks are being spawned: no run advances until every program of the
   * tree has started and blocked (otherwise the first program would pull the trunk ahead alone).
   */
  hold(): () => void {
    this.live++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.live--;
      this.kick();
    };
  }

  /** Runs an intervention program as a task of this tree. */
  spawn<T>(fn: () => Promise<T>): Promise<T> {
    this.live++;
    const p = (async () => fn())();
    return p.finally(() => {
      this.live--;
      this.kick();
    });
  }

  wait(run: Branch, cond: Condition, consumer?: Consumer): Promise<void> {
    if (run.failure !== undefined) return Promise.reject(run.failure);
    if (consumer?.overBudget) return Promise.reject(budgetError(consumer));
    if (run.satisfied(cond)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ run, cond, consumer, resolve, reject });
      this.kick();
    });
  }

  /**
   * Extends a stream for the given results, each request drawing on their budgets. Throws
   * `ResultBudgetError` before a request when every one of them has spent its budget.
   */
  async fetch(stream: Stream, n: number, consumers: readonly Consumer[]): Promise<void> {
    const payers = [...new Set(consumers)];
    await stream.ensure(n, this.worker, () => {
      let any = payers.length === 0;
      for (const c of payers) if (c.draw()) any = true;
      if (!any) throw budgetError(payers[0] as Consumer);
    });
  }

  private kick(): void {
    if (this.advancing || this.live === 0 || this.waiters.length === 0 || this.waiters.length < this.live) return;
    this.advancing = true;
    void this.advance();
  }

  private async advance(): Promise<void> {
    let run: Branch | undefined;
    for (const w of this.waiters) if (!run || w.run.index > run.index) run = w.run;
    if (run) {
      const stream = run.stream;
      const mine = this.waiters.filter((w) => w.run.stream === stream);
      try {
        let target = Number.POSITIVE_INFINITY;
        for (const w of mine) target = Math.min(target, w.run.target(w.cond));
        const before = stream.tokens.length;
        await this.fetch(stream, target, mine.flatMap((w) => (w.consumer ? [w.consumer] : [])));
        if (stream.tokens.length === before && !stream.ended) stream.ended = true;
      } catch (error) {
        // A failed request fails what waits on its stream only: every other result of the tree
        // goes on (a budget error fails only the results whose budget is spent).
        if (error instanceof ResultBudgetError) {
          for (const w of mine) if (w.consumer?.overBudget) this.settle(w, budgetError(w.consumer));
        } else {
          for (const r of this.runs) if (r.stream === stream) r.failure = error;
          for (const w of mine) this.settle(w, error);
        }
      }
    }
    const still: Waiter[] = [];
    const ready: Waiter[] = [];
    for (const w of this.waiters) (w.run.satisfied(w.cond) ? ready : still).push(w);
    this.waiters = still;
    this.advancing = false;
    for (const w of ready) w.resolve();
    this.kick();
  }

  private settle(w: Waiter, error: unknown): void {
    this.waiters = this.waiters.filter((x) => x !== w);
    w.reject(error);
  }

  // ---- conditions as the intervention API sees them ----

  async reach(run: Branch, k: number, consumer?: Consumer): Promise<Cut | undefined> {
    const target = Math.min(k, run.thinkingLimit);
    await this.wait(run, { kind: 'reach', k: target }, consumer);
    const a = run.analyze();
    if (a.thinking < k) return undefined;
    // Reached with the thinking still open at k: the cap "fires" only if k lies before the close.
    return run.cutAtThinking(k);
  }

  async close(run: Branch, consumer?: Consumer): Promise<CloseOutcome> {
    await this.wait(run, { kind: 'close' }, consumer);
    const a = run.analyze();
    const cut = run.cutAtClose();
    if (cut) return { natural: true, cut, thinking: a.thinking };
    if (run.atLimit(a)) {
      const at = run.cutAtThinking(run.thinkingLimit) ?? run.cutAtTokens(a.length);
      return { natural: false, reason: 'limit', cut: at, thinking: at.thinking };
    }
    return { natural: false, reason: 'ended', cut: run.cutAtTokens(a.length), thinking: a.thinking };
  }

  async scan(run: Branch, fromRunToken: number, match: ScanMatcher, consumer?: Consumer): Promise<Match | undefined> {
    const cond = { kind: 'scan' as const, from: fromRunToken, match };
    await this.wait(run, cond, consumer);
    const i = run.findMatch(cond);
    if (i === undefined) return undefined;
    return { cut: run.cutAtTokens(i), tokenIndex: i, token: run.stream.tokens[i] as CompletionToken };
  }

  async finish(run: Branch, consumer: Consumer): Promise<Finished> {
    await this.wait(run, { kind: 'answer' }, consumer);
    const a = run.analyze();
    if (a.closed) {
      const n = Math.min(a.length, run.answerEnd(a));
      consumer.mark(run.stream, n);
      const ending = run.stream.ended && n === a.length ? 'stop' : 'answer-limit';
      return { trace: run.traceAt(n), capped: false, ending, last: run };
    }
    if (run.atLimit(a)) {
      const at = run.cutAtThinking(run.thinkingLimit) ?? run.cutAtTokens(a.length);
      consumer.mark(run.stream, at.runTokens);
      const answer = this.closeThinking(at, this.capCloseText(), 'cap');
      const f = await this.finish(answer, consumer);
      return { ...f, capped: true, capAt: at.thinking };
    }
    consumer.mark(run.stream, a.length);
    return { trace: run.traceAt(a.length), capped: false, ending: 'no-close', last: run };
  }

  capCloseText(template?: string): string {
    return (template ?? this.config.capClose).replaceAll('{close}', this.config.delims.thinkClose);
  }

  /** An answer run: the cut, then text that closes the thinking. */
  closeThinking(cut: Cut, closeText: string, label: string): Branch {
    return this.branch(cut, { text: closeText, label });
  }

  /**
   * A probe: `suffix` after the cut, a short generation, and the answer read from it as the
   * confidence stage reads it (`answerAfterSuffix`). The answer's mean token probability is over the
   * tokens overlapping the box content (`tokensOverlapping`), so a lone `{` or `}` does not count
   * and DEER's threshold means the same number as src/confidence's self-confidence.
   */
  async probe(cut: Cut, suffix: string, kind: string, consumer: Consumer, tokens = this.config.probeTokens): Promise<ProbeOutcome> {
    const run = this.branch(cut, { text: suffix, label: `probe:${kind}` }, { answerLimit: tokens });
    // Grow the probe in small steps: most answers close their box within a few tokens.
    let got: CompletionToken[] = [];
    let read = readProbe(suffix, got);
    for (let want = Math.min(tokens, 8); ; want = Math.min(tokens, want * 2)) {
      await this.fetch(run.stream, want, [consumer]);
      got = run.stream.tokens.slice(0, want);
      read = readProbe(suffix, got);
      if (read.settled || run.stream.ended || want >= tokens) break;
    }
    if (!read.settled) read = readProbe(suffix, got, true);
    consumer.mark(run.stream, read.used);
    const used = read.answerTokens;
    const meanProb = used.length === 0 ? 0 : used.reduce((s, t) => s + Math.exp(t.logprob), 0) / used.length;
    return {
      position: cut.thinking,
      kind,
      suffix,
      text: got.slice(0, read.used).map((t) => t.text).join(''),
      answer: read.answer,
      meanProb,
      tokens: read.used,
    };
  }
}

export interface ProbeRead {
  /** The answer (box content, trimmed), when the probe gave one. */
  answer: string | undefined;
  /** Tokens through the end of the answer (the closing brace); all tokens when it is not settled. */
  used: number;
  /** The tokens the answer's confidence is the mean over: those overlapping the answer's text. */
  answerTokens: CompletionToken[];
  /** Index of the first answer token (= used when there is none). */
  answerFrom: number;
  /** Whether more tokens cannot change the answer (it closed, or the box can no longer open). */
  settled: boolean;
}

/** Index of the token holding character `offset` of the tokens' concatenated text (length when past the end). */
function tokenAt(tokens: readonly { text: string }[], offset: number): number {
  let o = 0;
  for (let i = 0; i < tokens.length; i++) {
    o += (tokens[i] as { text: string }).text.length;
    if (o > offset) return i;
  }
  return tokens.length;
}

/**
 * Reads a probe's answer from its generated tokens with the confidence stage's rules
 * (src/confidence/answer.ts `answerAfterSuffix`: the box the suffix opens, brace-balanced with
 * escaped `\{`/`\}` as content; a suffix without a box takes the first line).
 */
export function readProbe(suffix: string, tokens: readonly CompletionToken[], final = false): ProbeRead {
  const generated = tokens.map((t) => t.text).join('');
  const span = answerAfterSuffix(suffix, generated);
  const boxInSuffix = Math.max(suffix.lastIndexOf('\\boxed'), suffix.lastIndexOf('\\fbox'));
  const noBox = boxInSuffix < 0 && !/\\(?:boxed|fbox)/.test(generated);
  // A first line (no box anywhere) is whole once a newline follows it, or when nothing more comes.
  if (span.answer !== null && (!noBox || final || generated.slice(span.end).includes('\n'))) {
    // Through the closing brace (a box) or the answer's last character (a first line).
    const last = noBox ? Math.max(span.start, span.end - 1) : span.end;
    const used = Math.min(tokens.length, tokenAt(tokens, last) + 1);
    const answerTokens = tokensOverlapping(tokens, span.start, span.end);
    return { answer: span.answer.trim(), used, answerTokens, answerFrom: tokenAt(tokens, span.start), settled: true };
  }
  if (boxInSuffix >= 0) {
    // The box command ends the suffix's text: only whitespace may come before its brace.
    const command = /^\\(?:boxed|fbox)/.exec(suffix.slice(boxInSuffix))?.[0] ?? '';
    const after = (suffix + generated).slice(boxInSuffix + command.length);
    const first = /\S/.exec(after);
    if (first && first[0] !== '{') {
      const at = Math.max(0, boxInSuffix + command.length + first.index - suffix.length);
      const i = Math.min(tokens.length - 1, tokenAt(tokens, at));
      return { answer: undefined, used: i + 1, answerTokens: [], answerFrom: i, settled: true };
    }
  }
  const answerTokens = tokensOverlapping(tokens, span.start, generated.length);
  return { answer: undefined, used: tokens.length, answerTokens, answerFrom: Math.min(tokens.length, tokenAt(tokens, span.start)), settled: false };
}

/**
 * Reads the boxed answer that a probe suffix opens (`...\\boxed{` or `...\\boxed`) from the probe's
 * generated tokens (see `readProbe`). `used` = tokens through the closing brace (all tokens when it
 * never closed); `answerFrom` = first token overlapping the answer's text.
 */
export function readBoxed(suffix: string, tokens: readonly { text: string }[]): { answer: string | undefined; used: number; answerFrom: number } {
  const read = readProbe(suffix, tokens.map((t) => ({ text: t.text, logprob: 0, top: [] })), true);
  return { answer: read.answer, used: read.used, answerFrom: read.answerFrom };
}
