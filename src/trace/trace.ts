import type { CompletionToken } from '../backends/backend.ts';

/**
 * The trace model: what the model saw and wrote under an intervention, as segments with
 * provenance. `prompt` is the rendered raw prompt, `generated` text comes with the model's own
 * tokens (logprob and alternatives), `injected` text was put there by an intervention (its label
 * says which). Thinking tokens are always the model's own generated tokens, never a re-tokenization.
 */

export type TraceToken = CompletionToken;

export type Segment =
  | { kind: 'prompt'; text: string }
  | { kind: 'generated'; text: string; tokens: TraceToken[] }
  | { kind: 'injected'; text: string; label: string; tokens?: number };

export interface Delimiters {
  thinkOpen: string;
  thinkClose: string;
}

export interface Trace {
  segments: Segment[];
}

export interface TraceSplit {
  /** Offset (in the text after the prompt) where the thinking content starts. */
  thinkingStart: number;
  /** Offset of the thinking close, when the thinking was closed (by the model or an injection). */
  thinkingEnd?: number;
  /** Offset right after the close: where the answer starts. */
  answerStart?: number;
}

export interface TraceCounts {
  /** Generated tokens lying wholly inside the thinking (before the close). */
  thinking: number;
  /** Generated tokens lying wholly after the close. */
  answer: number;
  /** Generated tokens in total (including any that straddle a delimiter). */
  generated: number;
  /** Tokens of injected text, when known (estimated from server counts), else undefined. */
  injected: number | undefined;
  /** Characters of injected text. */
  injectedChars: number;
}

export interface PositionedToken {
  token: TraceToken;
  /** Offset of the token's first character in the text after the prompt. */
  start: number;
  end: number;
}

export function traceOf(prompt: string): Trace {
  return { segments: [{ kind: 'prompt', text: prompt }] };
}

/** A new trace with generated tokens appended (adjacent generated segments merge). */
export function appendGenerated(trace: Trace, tokens: readonly TraceToken[]): Trace {
  return appendGeneratedText(trace, tokens, tokens.map((t) => t.text).join(''));
}

/**
 * appendGenerated when the caller already holds the tokens' joined text (`text` must be exactly
 * `tokens.map((t) => t.text).join('')`): a stream's text, sliced, instead of joining again.
 */
export function appendGeneratedText(trace: Trace, tokens: readonly TraceToken[], text: string): Trace {
  if (tokens.length === 0) return trace;
  const last = trace.segments[trace.segments.length - 1];
  if (last?.kind === 'generated') {
    const segments = trace.segments.slice(0, -1);
    segments.push({ kind: 'generated', text: last.text + text, tokens: last.tokens.concat(tokens) });
    return { segments };
  }
  return { segments: [...trace.segments, { kind: 'generated', text, tokens: tokens.slice() }] };
}

export function appendInjected(trace: Trace, text: string, label: string, tokens?: number): Trace {
  if (text === '') return trace;
  const seg: Segment = tokens === undefined ? { kind: 'injected', text, label } : { kind: 'injected', text, label, tokens };
  return { segments: [...trace.segments, seg] };
}

/** The whole raw text: prompt, then everything after it. */
export function fullText(trace: Trace): string {
  return trace.segments.map((s) => s.text).join('');
}

export function promptText(trace: Trace): string {
  return trace.segments.filter((s) => s.kind === 'prompt').map((s) => s.text).join('');
}

/** Everything after the prompt (generated and injected text). */
export function continuationText(trace: Trace): string {
  return trace.segments.filter((s) => s.kind !== 'prompt').map((s) => s.text).join('');
}

/** Generated tokens with their offsets in the continuation text. */
export function positionedTokens(trace: Trace): PositionedToken[] {
  const out: PositionedToken[] = [];
  let offset = 0;
  for (const seg of trace.segments) {
    if (seg.kind === 'prompt') continue;
    if (seg.kind === 'generated') {
      let o = offset;
      for (const token of seg.tokens) {
        out.push({ token, start: o, end: o + token.text.length });
        o += token.text.length;
      }
    }
    offset += seg.text.length;
  }
  return out;
}

/**
 * Where thinking and answer sit. `opensInPrompt`: the prompt itself opened the thinking (otherwise
 * the model is expected to write the open delimiter; leading whitespace allowed, and a model that
 * never writes it is treated as thinking from offset 0). The close is the first close delimiter
 * after the thinking start, wherever it sits (inside a token, or in injected text).
 */
export function splitTrace(trace: Trace, delims: Delimiters, opensInPrompt: boolean): TraceSplit {
  return splitText(continuationText(trace), delims, opensInPrompt);
}

/** splitTrace on the continuation text itself. */
export function splitText(text: string, delims: Delimiters, opensInPrompt: boolean): TraceSplit {
  let thinkingStart = 0;
  if (!opensInPrompt) {
    const lead = /^\s*/.exec(text)?.[0].length ?? 0;
    if (text.startsWith(delims.thinkOpen, lead)) {
      thinkingStart = lead + delims.thinkOpen.length;
      if (text[thinkingStart] === '\n') thinkingStart++;
    }
  }
  const close = text.indexOf(delims.thinkClose, thinkingStart);
  if (close < 0) return { thinkingStart };
  return { thinkingStart, thinkingEnd: close, answerStart: close + delims.thinkClose.length };
}

/** Whether a rendered prompt ends inside opened thinking (its last delimiter is an open). */
export function promptOpensThinking(prompt: string, delims: Delimiters): boolean {
  const open = prompt.lastIndexOf(delims.thinkOpen);
  return open >= 0 && open > prompt.lastIndexOf(delims.thinkClose);
}

export function countTrace(trace: Trace, delims: Delimiters, opensInPrompt: boolean): TraceCounts {
  const split = splitTrace(trace, delims, opensInPrompt);
  const end = split.thinkingEnd ?? Number.POSITIVE_INFINITY;
  const answerStart = split.answerStart ?? Number.POSITIVE_INFINITY;
  let thinking = 0;
  let answer = 0;
  let generated = 0;
  let injected: number | undefined = 0;
  let injectedChars = 0;
  // positionedTokens' walk without its object per token: counts run on every branch and cut.
  let offset = 0;
  for (const seg of trace.segments) {
    if (seg.kind === 'prompt') continue;
    if (seg.kind === 'generated') {
      let start = offset;
      for (const token of seg.tokens) {
        const stop = start + token.text.length;
        if (start >= split.thinkingStart && stop <= end) thinking++;
        else if (start >= answerStart) answer++;
        start = stop;
      }
      generated += seg.tokens.length;
    } else {
      injectedChars += seg.text.length;
      injected = injected === undefined || seg.tokens === undefined ? undefined : injected + seg.tokens;
    }
    offset += seg.text.length;
  }
  return { thinking, answer, generated, injected, injectedChars };
}

/** The thinking text (between the open and the close, or to the end when not closed). */
export function thinkingText(trace: Trace, delims: Delimiters, opensInPrompt: boolean): string {
  const split = splitTrace(trace, delims, opensInPrompt);
  return continuationText(trace).slice(split.thinkingStart, split.thinkingEnd);
}

/** The answer text: everything after the thinking closed ('' when it never closed). */
export function answerText(trace: Trace, delims: Delimiters, opensInPrompt: boolean): string {
  const split = splitTrace(trace, delims, opensInPrompt);
  return split.answerStart === undefined ? '' : continuationText(trace).slice(split.answerStart);
}

/** Cuts a trace's continuation at a character offset (segments cut, generated tokens kept whole only when wholly before). */
export function cutAtOffset(trace: Trace, offset: number): Trace {
  const segments: Segment[] = [];
  let o = 0;
  for (const seg of trace.segments) {
    if (seg.kind === 'prompt') {
      segments.push(seg);
      continue;
    }
    if (o >= offset) break;
    const room = offset - o;
    if (seg.text.length <= room) {
      segments.push(seg);
    } else if (seg.kind === 'generated') {
      const kept: TraceToken[] = [];
      let used = 0;
      for (const t of seg.tokens) {
        if (used + t.text.length > room) break;
        kept.push(t);
        used += t.text.length;
      }
      if (kept.length > 0) segments.push({ kind: 'generated', text: seg.text.slice(0, used), tokens: kept });
      // A partial token's text before the cut is kept as text the model wrote but outside any token.
      if (used < room) segments.push({ kind: 'injected', text: seg.text.slice(used, room), label: 'partial-token' });
    } else {
      segments.push({ ...seg, text: seg.text.slice(0, room) });
    }
    o += seg.text.length;
  }
  return { segments };
}

/**
 * Cuts the trace right after its k-th thinking token (k >= 0), exactly. Returns undefined when the
 * trace has fewer than k thinking tokens.
 */
export function cutAtThinkingToken(trace: Trace, k: number, delims: Delimiters, opensInPrompt: boolean): Trace | undefined {
  const split = splitTrace(trace, delims, opensInPrompt);
  if (k === 0) return cutAtOffset(trace, split.thinkingStart);
  const end = split.thinkingEnd ?? Number.POSITIVE_INFINITY;
  let n = 0;
  for (const t of positionedTokens(trace)) {
    if (t.start >= split.thinkingStart && t.end <= end) {
      n++;
      if (n === k) return cutAtOffset(trace, t.end);
    }
  }
  return undefined;
}

/** Mean token probability (mean of exp(logprob)) over tokens; NaN for none. */
export function meanTokenProbability(tokens: readonly { logprob: number }[]): number {
  if (tokens.length === 0) return Number.NaN;
  return tokens.reduce((s, t) => s + Math.exp(t.logprob), 0) / tokens.length;
}
