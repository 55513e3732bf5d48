import type { CompletionToken } from '../backends/backend.ts';
import type { Problem } from '../problems/problem.ts';
import type { Trace } from '../trace/trace.ts';
import type {
  Branch as PlanBranch,
  Cut as PlanCut,
  InterventionContext as PlanInterventionContext,
  ProbeOutcome,
  RunOptions,
  ScanMatcher,
  TreeConfig,
} from '../plan/tree-api.ts';
import { Branch, type CloseOutcome, type Consumer, type Cut, type Finished, type Match, type Tree } from './tree.ts';

/** The engine's own branch behind a plan-level one: a Cut or Branch an intervention made up is a bug in it. */
function own(run: PlanBranch): Branch {
  if (!(run instanceof Branch)) throw new TypeError('an intervention passed a branch that did not come from its context');
  return run;
}

function ownCut(cut: PlanCut): Cut {
  own(cut.run);
  return cut as Cut;
}

/**
 * What an intervention program works with (src/plan's InterventionContext): the tree's trunk and
 * the primitives. Everything it uses is recorded against its result (the consumer), for cost
 * accounting.
 */
export class InterventionContext implements PlanInterventionContext {
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

  get prompt(): string {
    return this.tree.prompt;
  }

  start(run: PlanBranch = this.trunk): Cut {
    return own(run).cutAtTokens(0);
  }

  truncate(run: PlanBranch, k: number): Promise<Cut | undefined> {
    return this.tree.reach(own(run), k, this.consumer);
  }

  close(run: PlanBranch): Promise<CloseOutcome> {
    return this.tree.close(own(run), this.consumer);
  }

  scan(run: PlanBranch, from: number, match: ScanMatcher): Promise<Match | undefined> {
    return this.tree.scan(own(run), from, match, this.consumer);
  }

  generate(run: PlanBranch): Promise<Finished> {
    return this.tree.finish(own(run), this.consumer);
  }

  prefill(cut: PlanCut, text: string, label: string, options: RunOptions = {}): Branch {
    const at = ownCut(cut);
    this.consumer.mark(at.run.stream, at.runTokens);
    return this.tree.branch(at, { text, label }, options);
  }

  choose(cut: PlanCut, tokens: CompletionToken[], options: RunOptions = {}): Branch {
    const at = ownCut(cut);
    this.consumer.mark(at.run.stream, at.runTokens);
    return this.tree.branch(at, { tokens }, options);
  }

  closeThinking(cut: PlanCut, text: string = this.config.capClose, label = 'close'): Branch {
    return this.prefill(cut, this.closeText(text), label);
  }

  closeText(text?: string): string {
    return this.tree.capCloseText(text);
  }

  async peek(run: PlanBranch, n: number): Promise<readonly CompletionToken[]> {
    const branch = own(run);
    await this.tree.fetch(branch.stream, n, [this.consumer]);
    const got = branch.stream.tokens.slice(0, n);
    this.consumer.mark(branch.stream, got.length);
    return got;
  }

  continueTrace(trace: Trace): Branch {
    return this.tree.run(trace, undefined, {});
  }

  probe(cut: PlanCut, suffix: string, kind: string, tokens?: number): Promise<ProbeOutcome> {
    const at = ownCut(cut);
    this.consumer.mark(at.run.stream, at.runTokens);
    return this.tree.probe(at, suffix, kind, this.consumer, tokens);
  }
}
