/**
 * The primitives users build their own interventions from; the built-in ones use nothing else.
 * They are the methods of the InterventionContext an intervention's `run` receives (src/plan's
 * tree API), here also as plain functions:
 *
 *   render        the tree's rendered raw prompt (template + question + prompt variant)
 *   truncate      cut a branch right after thinking token k (exact: the model's own tokens)
 *   prefill       continue from a cut after injected text
 *   choose        continue from a cut after tokens picked from the model's own alternatives
 *   closeThinking close the thinking at a cut (`{close}` = the template's delimiter); the answer follows
 *   generate      run through the answer (capped at the branch's thinking limit)
 *   probe         a short answer attempt after a suffix, with its mean token probability
 *   scan          the next thinking token matching a predicate (reflection words, paragraph breaks)
 *   waitForClose  wait until a branch closes its thinking (or hits its limit)
 *   peek          the first n tokens of a branch (e.g. one token with its alternatives)
 */
import type { CompletionToken } from '../backends/backend.ts';
import type { Branch, CloseOutcome, Cut, Finished, InterventionContext, Match, ProbeOutcome, RunOptions, ScanMatcher } from '../plan/tree-api.ts';

export type { Cut, Branch, Branch as Run, Finished, ProbeOutcome, CloseOutcome, Match, RunOptions, InterventionContext };

export const render = (ctx: InterventionContext): string => ctx.prompt;
export const truncate = (ctx: InterventionContext, run: Branch, k: number): Promise<Cut | undefined> => ctx.truncate(run, k);
export const prefill = (ctx: InterventionContext, cut: Cut, text: string, label: string, options?: RunOptions): Branch =>
  ctx.prefill(cut, text, label, options);
export const choose = (ctx: InterventionContext, cut: Cut, tokens: CompletionToken[], options?: RunOptions): Branch => ctx.choose(cut, tokens, options);
export const closeThinking = (ctx: InterventionContext, cut: Cut, text?: string, label?: string): Branch => ctx.closeThinking(cut, text, label);
export const generate = (ctx: InterventionContext, run: Branch): Promise<Finished> => ctx.generate(run);
export const probe = (ctx: InterventionContext, cut: Cut, suffix: string, kind: string, tokens?: number): Promise<ProbeOutcome> =>
  ctx.probe(cut, suffix, kind, tokens);
export const scan = (ctx: InterventionContext, run: Branch, from: number, match: ScanMatcher): Promise<Match | undefined> => ctx.scan(run, from, match);
export const waitForClose = (ctx: InterventionContext, run: Branch): Promise<CloseOutcome> => ctx.close(run);
export const peek = (ctx: InterventionContext, run: Branch, n: number): Promise<readonly CompletionToken[]> => ctx.peek(run, n);
