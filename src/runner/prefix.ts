import type { StoredSegment } from '../engine/index.ts';

/**
 * The exact text the model had seen after `k` of its own generated tokens: the prompt, injected
 * text and generated tokens in order, cut right after the k-th generated token. Cutting on the
 * model's own tokens (never re-tokenizing) keeps probe positions exact.
 */
export function prefixAfterGenerated(trace: readonly StoredSegment[], k: number): string {
  let text = '';
  let seen = 0;
  for (const segment of trace) {
    if (segment.kind !== 'generated') {
      if (seen >= k && segment.kind === 'injected') break;
      text += segment.text;
      continue;
    }
    for (const token of segment.tokens) {
      if (seen >= k) return text;
      text += token.text;
      seen++;
    }
  }
  return text;
}

/** The generated tokens of a stored trace, in order (for reflection-word positions). */
export function generatedTokens(trace: readonly StoredSegment[]): string[] {
  return trace.flatMap((segment) => (segment.kind === 'generated' ? segment.tokens.map((t) => t.text) : []));
}
