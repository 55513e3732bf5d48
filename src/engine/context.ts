import type { CompletionToken } from '../backends/backend.ts';
import type { Problem } from '../problems/problem.ts';
import type { Consumer, Cut, CloseOutcome, Finished, Match, ProbeOutcome, Branch, RunOptions, ScanMatcher, Tree, TreeConfig } from './tree.ts';

/**
 * What an intervention program works with: the tree's trunk and the primitives (truncate,
 * prefill, close thinking, generate, probe, scan). Everything it uses is recorded against its
 * result, for cost accounting.
 */
export class InterventionContext {
  constructor(
    readonly tree: Tree,
    readonly consumer: Consumer,
    readonly problem: Problem,
    readonly sample: number,
  ) {}

  get trunk(): Branch {
    return this.tree.root;
  }

  get config(): TreeConfig {
    return this.tree.config;
  }

  /** The cut at the very start of a run (its prompt). */
  start(run: Branch = this.trunk): Cut {
    return run.cutAtTokens(0);
  }

  /** The run cut right after thinking token k; undefined when the thinking closed (or hit the limit) first. */
  truncate(run: Branch, k: number): Promise<Cut | undefined> {
    return this.tree.reach(run, k, this.consumer);
  }

  /** Waits until the run closes its thinking (or hits its limit, or ends). */
  close(run: Branch): Promise<CloseOutcome> {
    return this.tree.close(run, this.consumer);
  }

  /** The next thinking token at or after `from` (a run token index) that matches (per token, or a phrase over tokens). */
  scan(run: Branch, from: number, match: ScanMatcher): Promise<Match | undefined> {
    return this.tree.scan(run, from, match, this.consumer);
  }

  /** The run through its answer (capped at its thinking limit with the run's cap text). */
  generate(run: Branch): Promise<Finished> {
    return this.tree.finish(run, this.consumer);
  }

  /** Continue from the cut after injected text: the model carries on from there (thinking or not). */
  prefill(cut: Cut, text: string, label: string, options: RunOptions = {}): Branch {
    this.consumer.mark(cut.run.stream, cut.runTokens);
    return this.tree.branch(cut, { text, label }, options);
  }

  /** Continue from the cut after tokens chosen from the model's own alternatives. */
  choose(cut: Cut, tokens: CompletionToken[], options: RunOptions = {}): Branch {
    this.consumer.mark(cut.run.stream, cut.runTokens);
    return this.tree.branch(cut, { tokens }, options);
  }

  /** Close the thinking at the cut with `text` (`{close}` = the close delimiter); the answer follows. */
  closeThinking(cut: Cut, text: string = this.config.capClose, label = 'close'): Branch {
    return this.prefill(cut, this.tree.capCloseText(text), label);
  }

  /** Makes `n` tokens of a run available, drawing on this result's request budget. */
  fetch(run: Branch, n: number): Promise<void> {
    return this.tree.fetch(run.stream, n, [this.consumer]);
  }

  probe(cut: Cut, suffix: string, kind: string, tokens?: number): Promise<ProbeOutcome> {
    this.consumer.mark(cut.run.stream, cut.runTokens);
    return this.tree.probe(cut, suffix, kind, this.consumer, tokens);
  }
}
