import type { StoredSegment } from '../core/model.ts';
import { splitText, type Delimiters } from '../trace/trace.ts';

/** Where the thinking sits in a run's traces: the template's delimiters, and whether its prompt opens the thinking. */
export interface ThinkingLayout {
  delims: Delimiters;
  opensInPrompt: boolean;
}

/** A stored trace's thinking tokens, found in one walk over it. */
export interface ThinkingScan {
  /** The generated thinking tokens' texts, in order (reflection-word positions index into these). */
  texts: string[];
  /**
   * Character offsets, in the text after the prompt (injected text included), where the thinking
   * stands after k thinking tokens: ends[0] is where the thinking starts.
   */
  ends: number[];
}

/**
 * The thinking tokens of a stored trace: generated tokens lying wholly between the thinking's
 * start and its close (trace.ts's splitTrace and positionedTokens), read off the stored segments
 * directly. Grading runs this over every token of every result, so it copies no token and builds
 * no per-token object.
 */
export function scanThinking(trace: readonly StoredSegment[], layout: ThinkingLayout): ThinkingScan {
  let continuation = '';
  for (const segment of trace) if (segment.kind !== 'prompt') continuation += segment.text;
  const split = splitText(continuation, layout.delims, layout.opensInPrompt);
  const start = split.thinkingStart;
  const end = split.thinkingEnd ?? Number.POSITIVE_INFINITY;
  const texts: string[] = [];
  const ends: number[] = [start];
  let offset = 0;
  for (const segment of trace) {
    if (segment.kind === 'prompt') continue;
    if (segment.kind === 'generated') {
      let at = offset;
      for (const token of segment.tokens) {
        const tokenEnd = at + token.text.length;
        if (at >= start && tokenEnd <= end) {
          texts.push(token.text);
          ends.push(tokenEnd);
        }
        at = tokenEnd;
      }
    }
    offset += segment.text.length;
  }
  return { texts, ends };
}

/**
 * The raw text up to `offset` characters after the prompt: trace.ts's fullText(cutAtOffset(...)),
 * without building the cut trace (a cut keeps prompt segments whole and every other segment's text
 * up to the offset, a partial token's text included).
 */
function textUpTo(trace: readonly StoredSegment[], offset: number): string {
  let text = '';
  let at = 0;
  for (const segment of trace) {
    if (segment.kind === 'prompt') {
      text += segment.text;
      continue;
    }
    if (at >= offset) break;
    text += segment.text.length <= offset - at ? segment.text : segment.text.slice(0, offset - at);
    at += segment.text.length;
  }
  return text;
}

/**
 * The exact text the model had seen after `k` thinking tokens of its own: cut on the model's own
 * tokens (never re-tokenized), the same cut the engine makes for its probes, so a model that
 * writes `<think>` itself does not shift positions. Undefined when the trace has fewer thinking tokens.
 */
export function prefixAtThinkingToken(trace: readonly StoredSegment[], k: number, layout: ThinkingLayout): string | undefined {
  return thinkingPrefixes(trace, layout)(k);
}

/**
 * prefixAtThinkingToken for many k along one trace: the trace is scanned once, not once per probe
 * (L-hat probes a trace at up to hundreds of positions).
 */
export function thinkingPrefixes(trace: readonly StoredSegment[], layout: ThinkingLayout): (k: number) => string | undefined {
  const { ends } = scanThinking(trace, layout);
  return (k) => {
    // Only whole k within the trace index ends (cutAtThinkingToken counts to k and finds no other).
    const offset = Number.isInteger(k) && k >= 0 ? ends[k] : undefined;
    return offset === undefined ? undefined : textUpTo(trace, offset);
  };
}

/** The generated thinking tokens, in order (reflection-word positions index into these). */
export function thinkingTokens(trace: readonly StoredSegment[], layout: ThinkingLayout): string[] {
  return scanThinking(trace, layout).texts;
}

/**
 * Character offsets, in the text after the prompt (injected text included), where the thinking
 * stands after k thinking tokens: ends[0] is where the thinking starts. Probe markers in the report
 * sit at these offsets.
 */
export function thinkingTokenEnds(trace: readonly StoredSegment[], layout: ThinkingLayout): number[] {
  return scanThinking(trace, layout).ends;
}
