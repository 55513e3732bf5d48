import type { StoredSegment } from '../core/model.ts';
import { cutAtThinkingToken, fullText, positionedTokens, splitTrace, type Delimiters, type Trace } from '../trace/trace.ts';

/** Where the thinking sits in a run's traces: the template's delimiters, and whether its prompt opens the thinking. */
export interface ThinkingLayout {
  delims: Delimiters;
  opensInPrompt: boolean;
}

function asTrace(stored: readonly StoredSegment[]): Trace {
  return {
    segments: stored.map((s) => (s.kind === 'generated' ? { kind: 'generated', text: s.text, tokens: s.tokens.map((t) => ({ text: t.text, logprob: t.logprob, top: t.top ?? [] })) } : s)),
  };
}

/**
 * The exact text the model had seen after `k` thinking tokens of its own: cut on the model's own
 * tokens (never re-tokenized), the same cut the engine makes for its probes, so a model that
 * writes `<think>` itself does not shift positions. Undefined when the trace has fewer thinking tokens.
 */
export function prefixAtThinkingToken(trace: readonly StoredSegment[], k: number, layout: ThinkingLayout): string | undefined {
  const cut = cutAtThinkingToken(asTrace(trace), k, layout.delims, layout.opensInPrompt);
  return cut ? fullText(cut) : undefined;
}

/** The generated thinking tokens, in order (reflection-word positions index into these). */
export function thinkingTokens(trace: readonly StoredSegment[], layout: ThinkingLayout): string[] {
  const t = asTrace(trace);
  const split = splitTrace(t, layout.delims, layout.opensInPrompt);
  const end = split.thinkingEnd ?? Number.POSITIVE_INFINITY;
  return positionedTokens(t)
    .filter((p) => p.start >= split.thinkingStart && p.end <= end)
    .map((p) => p.token.text);
}

/**
 * Character offsets, in the text after the prompt (injected text included), where the thinking
 * stands after k thinking tokens: ends[0] is where the thinking starts. Probe markers in the report
 * sit at these offsets.
 */
export function thinkingTokenEnds(trace: readonly StoredSegment[], layout: ThinkingLayout): number[] {
  const t = asTrace(trace);
  const split = splitTrace(t, layout.delims, layout.opensInPrompt);
  const end = split.thinkingEnd ?? Number.POSITIVE_INFINITY;
  return [split.thinkingStart, ...positionedTokens(t).filter((p) => p.start >= split.thinkingStart && p.end <= end).map((p) => p.end)];
}
