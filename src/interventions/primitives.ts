/**
 * The primitives users build their own interventions from (the built-in ones use nothing else).
 * Each takes the InterventionContext an intervention's `run` receives.
 *
 *   render        the tree's rendered raw prompt (template + question + prompt variant)
 *   truncate      cut a run right after thinking token k (exact: the model's own tokens)
 *   prefill       continue from a cut after injected text
 *   closeThinking close the thinking at a cut (`{close}` = the template's delimiter); the answer follows
 *   generate      run through the answer (capped at the run's thinking limit)
 *   probe         a short answer attempt after a suffix, with its mean token probability
 *   scan          the next thinking token matching a predicate (reflection words, paragraph breaks)
 */
import type { CompletionToken } from '../backends/backend.ts';
import type { CloseOutcome, Cut, Finished, Match, ProbeOutcome, Branch, RunOptions } from '../engine/tree.ts';
import type { InterventionContext } from '../engine/context.ts';

export type { Cut, Branch as Run, Finished, ProbeOutcome, CloseOutcome, Match, RunOptions };

export const render = (ctx: InterventionContext): string => ctx.tree.prompt;
export const truncate = (ctx: InterventionContext, run: Branch, k: number): Promise<Cut | undefined> => ctx.truncate(run, k);
export const prefill = (ctx: InterventionContext, cut: Cut, text: string, label: string, options?: RunOptions): Branch =>
  ctx.prefill(cut, text, label, options);
export const closeThinking = (ctx: InterventionContext, cut: Cut, text?: string, label?: string): Branch => ctx.closeThinking(cut, text, label);
export const generate = (ctx: InterventionContext, run: Branch): Promise<Finished> => ctx.generate(run);
export const probe = (ctx: InterventionContext, cut: Cut, suffix: string, kind: string, tokens?: number): Promise<ProbeOutcome> =>
  ctx.probe(cut, suffix, kind, tokens);
export const scan = (
  ctx: InterventionContext,
  run: Branch,
  from: number,
  match: (token: CompletionToken, before: string) => boolean,
): Promise<Match | undefined> => ctx.scan(run, from, match);
export const waitForClose = (ctx: InterventionContext, run: Branch): Promise<CloseOutcome> => ctx.close(run);
