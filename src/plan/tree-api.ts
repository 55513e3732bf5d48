import type { CompletionToken, SamplingSettings } from '../backends/backend.ts';
import type { ProbeRecord } from '../core/model.ts';
import type { Problem } from '../problems/problem.ts';
import type { Delimiters, Trace } from '../trace/trace.ts';

/**
 * The trace-tree API interventions program against. These are interfaces only: src/engine
 * implements them (engine/tree.ts, engine/context.ts), and interventions import nothing from the
 * engine, so a user's intervention and a built-in one see exactly the same surface.
 */

export interface TreeConfig {
  delims: Delimiters;
  /** Whether the root prompt opened the thinking (else the model writes the open delimiter). */
  opensInPrompt: boolean;
  /** Stop strings of the template (end of turn), sent with every request. */
  stop: readonly string[];
  seed: number;
  sampling: SamplingSettings;
  topLogprobs: number;
  namespace: string;
  maxThinkingTokens: number;
  answerTokens: number;
  probeTokens: number;
  /** How far the trunk grows per step while scanning for online branch points (reflection words). */
  scanChunk: number;
  /** Text that closes the thinking when a cap fires, `{close}` replaced by the close delimiter. */
  capClose: string;
  /**
   * Requests (cached chunks included) one result may draw on: a bound that no intervention can
   * exceed, whatever a server answers. Past it the result is an error row (`ResultBudgetError`).
   */
  maxRequestsPerResult?: number;
}

/** A point on a branch: its trace up to there, ready to branch off again. */
export interface Cut {
  readonly run: Branch;
  /** Tokens of the branch's own generation that the cut keeps. */
  readonly runTokens: number;
  /** The trace up to the cut. */
  readonly trace: Trace;
  /** Thinking tokens in the cut trace. */
  readonly thinking: number;
}

/** One generation of the tree (the trunk, or a branch off a cut), growing as someone waits on it. */
export interface Branch {
  /** The tokens generated on this branch so far (not those of the trace it continues). */
  readonly tokens: readonly CompletionToken[];
  /** Whether the thinking has closed in what was generated so far. */
  readonly closed: boolean;
  /** The cut after `runTokens` of this branch's own tokens. */
  cutAtTokens(runTokens: number): Cut;
  /** The cut right after total thinking token k, when the branch has it already. */
  cutAtThinking(k: number): Cut | undefined;
  /** The cut at the close delimiter, when the thinking has closed. */
  cutAtClose(): Cut | undefined;
}

/** Parameterised by the cut and branch types so the engine can name its own implementations. */
export type CloseOutcome<C extends Cut = Cut> =
  | { natural: true; cut: C; thinking: number }
  | { natural: false; reason: 'limit' | 'ended'; cut: C; thinking: number };

export interface Finished<B extends Branch = Branch> {
  trace: Trace;
  /** True when the thinking hit the branch's limit and was closed by the engine. */
  capped: boolean;
  capAt?: number;
  /** Why the branch stopped: the model ended its turn, the answer limit, or it never closed its thinking. */
  ending: 'stop' | 'answer-limit' | 'no-close';
  /** The branch that produced the answer (the cap's answer branch when capped). */
  last: B;
}

export interface Match<C extends Cut = Cut> {
  cut: C;
  /** Index of the matching token among the branch's own tokens. */
  tokenIndex: number;
  token: CompletionToken;
}

export interface RunOptions {
  /** Total thinking tokens allowed in the trace (base included). */
  thinkingLimit?: number;
  answerLimit?: number;
  /** Extra stop strings (e.g. banned words). */
  stop?: readonly string[];
  topLogprobs?: number;
}

/** A per-token test: `before` is the branch's text before the token. */
export type TokenMatcher = (token: CompletionToken, before: string) => boolean;

/**
 * A matcher over text spanning tokens (a phrase like "Hold on" may be split "Hold" + " on"): given
 * the text before some tokens (`context`) and those tokens' texts, the index of the first token at
 * or after `from` where a match starts, once it is certain; undefined when there is none yet.
 * `final`: no more thinking tokens will come, so a match at the very end is certain.
 */
export interface TextScanner {
  find(context: string, texts: readonly string[], from: number, final: boolean): number | undefined;
}

export type ScanMatcher = TokenMatcher | TextScanner;

/** A probe's outcome is what the result records (core model): one shape from the tree to the report. */
export type ProbeOutcome = ProbeRecord;

/**
 * What an intervention's `run` receives: the tree's trunk and the primitives (truncate, prefill,
 * close thinking, generate, probe, scan, ...). Everything it uses is recorded against its result,
 * for cost accounting; a Cut or Branch it passes back must come from this context.
 */
export interface InterventionContext {
  readonly problem: Problem;
  readonly sample: number;
  readonly config: TreeConfig;
  /** The trunk: the model's own trace for this problem x sample (x prompt variant). */
  readonly trunk: Branch;
  /** The rendered raw prompt of the tree (template + question + prompt variant). */
  readonly prompt: string;
  /** The cut at the very start of a branch (its prompt). */
  start(run?: Branch): Cut;
  /** The branch cut right after thinking token k; undefined when the thinking closed (or hit the limit) first. */
  truncate(run: Branch, k: number): Promise<Cut | undefined>;
  /** Waits until the branch closes its thinking (or hits its limit, or ends). */
  close(run: Branch): Promise<CloseOutcome>;
  /** The next thinking token at or after `from` (a branch token index) that matches. */
  scan(run: Branch, from: number, match: ScanMatcher): Promise<Match | undefined>;
  /** The branch through its answer (capped at its thinking limit with the cap text). */
  generate(run: Branch): Promise<Finished>;
  /** Continue from the cut after injected text: the model carries on from there (thinking or not). */
  prefill(cut: Cut, text: string, label: string, options?: RunOptions): Branch;
  /** Continue from the cut after tokens chosen from the model's own alternatives. */
  choose(cut: Cut, tokens: CompletionToken[], options?: RunOptions): Branch;
  /** Close the thinking at the cut with `text` (`{close}` = the close delimiter; default the cap text); the answer follows. */
  closeThinking(cut: Cut, text?: string, label?: string): Branch;
  /** A short answer attempt after `suffix` at the cut, with its mean token probability. */
  probe(cut: Cut, suffix: string, kind: string, tokens?: number): Promise<ProbeOutcome>;
  /** The first `n` tokens of a branch (fewer when it ends first), fetched and counted as used. */
  peek(run: Branch, n: number): Promise<readonly CompletionToken[]>;
  /** A branch that continues a given trace (e.g. a finished one, to probe along it afterwards). */
  continueTrace(trace: Trace): Branch;
  /** `text` with `{close}` replaced by the template's close delimiter (default: the cap text). */
  closeText(text?: string): string;
}
