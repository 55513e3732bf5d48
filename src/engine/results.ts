import type { Result, StoredSegment } from '../core/model.ts';
import type { Intervention, InterventionOutput } from './intervention.ts';
import type { PlannedTree } from '../plan/plan.ts';
import {
  answerText,
  countTrace,
  fullText,
  thinkingText,
  type Delimiters,
  type Segment,
  type Trace,
} from '../trace/trace.ts';
import { extractAnswer } from '../grading/extract.ts';
import { ownPromptTokens, type SpentCost, type TokenCost } from './accounting.ts';
import type { Consumer } from './tree.ts';
import type { Stream } from './stream.ts';
import { hasPrefix } from '../core/prefix.ts';

export function rowKey(problemId: string, label: string, sample: number): string {
  return `${problemId}|${label}|${sample}`;
}

/**
 * With alternatives the row holds the trace's own segments, not a copy: a long trace is thousands
 * of tokens with their alternatives, and copying them for every row was much of the engine's
 * garbage. Rows are read-only, and the store encodes the trace when the row is written.
 */
export function storeTrace(trace: Trace, alternatives: boolean): StoredSegment[] {
  if (alternatives) return trace.segments;
  return trace.segments.map((s: Segment): StoredSegment => {
    if (s.kind !== 'generated') return s;
    return {
      kind: 'generated',
      text: s.text,
      tokens: s.tokens.map((t) => ({ text: t.text, logprob: t.logprob })),
    };
  });
}

/** Fills injected segments' token counts from server prompt counts along the consumer's path. */
function injectedTokens(trace: Trace, consumer: Consumer): number | null {
  const text = fullText(trace);
  let last: Stream | undefined;
  for (const s of consumer.marks.keys()) {
    if ((!last || s.spec.prompt.length > last.spec.prompt.length) && hasPrefix(text, s.spec.prompt)) last = s;
  }
  if (!last) return null;
  let n = 0;
  for (let s: Stream | undefined = last; s?.parent; s = s.parent.stream) {
    if (s.promptTokens === undefined) return null;
    n += ownPromptTokens(s);
  }
  return n;
}

export function buildRow(args: {
  runId: string;
  tree: PlannedTree<Intervention>;
  intervention: Intervention;
  output: InterventionOutput;
  consumer: Consumer;
  delims: Delimiters;
  opensInPrompt: boolean;
  alone: TokenCost;
  spent: SpentCost;
  alternatives: boolean;
  /** The one-line reason this result could not be produced (its row is then not correct). */
  error?: string;
}): Result {
  const { tree, intervention, output, delims, opensInPrompt } = args;
  const label = intervention.describe();
  const counts = countTrace(output.trace, delims, opensInPrompt);
  const answer = answerText(output.trace, delims, opensInPrompt);
  const choices = tree.problem.choices && tree.problem.choices.length > 0 ? tree.problem.choices : undefined;
  return {
    key: rowKey(tree.problem.id, label, tree.sample),
    runId: args.runId,
    problemId: tree.problem.id,
    sample: tree.sample,
    seed: tree.seed,
    tree: tree.key,
    intervention: { type: intervention.type, label, params: intervention.params },
    trace: storeTrace(output.trace, args.alternatives),
    thinking: thinkingText(output.trace, delims, opensInPrompt),
    answer,
    extracted: extractAnswer(answer, choices ? { choices } : {})?.text ?? null,
    correct: args.error === undefined ? null : false,
    counts: {
      thinking: counts.thinking,
      answer: counts.answer,
      generated: counts.generated,
      injected: injectedTokens(output.trace, args.consumer),
      injectedChars: counts.injectedChars,
    },
    capFired: output.capFired,
    cap: output.cap ?? null,
    exit: output.exit ?? null,
    probes: output.probes ?? [],
    injections: output.injections ?? [],
    substitutions: output.substitutions ?? [],
    notes: output.notes ?? [],
    ...(args.error === undefined ? {} : { error: args.error }),
    cost: {
      alone: { ...args.alone, total: args.alone.prefill + args.alone.decoded },
      tree: { ...args.spent, total: args.spent.prefill + args.spent.decoded },
    },
  };
}
