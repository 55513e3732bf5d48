import type { Consumer } from './tree.ts';
import type { Stream } from './stream.ts';

export interface TokenCost {
  /** New-prefill tokens (prompt tokens the server had to evaluate). */
  prefill: number;
  decoded: number;
}

export interface SpentCost extends TokenCost {
  wallMs: number;
}

/** Tokens of a stream's prompt that are its own (not its parent's prefix): injected text, a probe suffix. */
export function ownPromptTokens(stream: Stream): number {
  if (stream.promptTokens === undefined) return 0;
  if (!stream.parent) return stream.promptTokens;
  const parentPrompt = stream.parent.stream.promptTokens;
  if (parentPrompt === undefined) return 0;
  return Math.max(0, stream.promptTokens - (parentPrompt + stream.parent.tokens));
}

/**
 * What a consumer's result would cost run alone on a fresh server with a KV cache: its root prompt,
 * every token on its path decoded once, and each branch's own new prompt text.
 */
export function aloneCost(consumer: Consumer): TokenCost {
  let prefill = 0;
  let decoded = 0;
  for (const [stream, n] of consumer.marks) {
    prefill += ownPromptTokens(stream);
    decoded += n;
  }
  return { prefill, decoded };
}

/** The theoretical minimum for a set of results: every needed token decoded once, every branch's own text prefilled once. */
export function minimalCost(consumers: readonly Consumer[]): TokenCost {
  const need = new Map<Stream, number>();
  for (const c of consumers) for (const [s, n] of c.marks) need.set(s, Math.max(need.get(s) ?? 0, n));
  let prefill = 0;
  let decoded = 0;
  for (const [s, n] of need) {
    prefill += ownPromptTokens(s);
    decoded += n;
  }
  return { prefill, decoded };
}

/**
 * What the tree spent, attributed to results: each request's cost is split among the results that
 * used its tokens (or, for overshoot nobody used, among the stream's users). Replayed requests
 * count what they cost when first computed (`RequestCost.tree`), so a resumed run matches an
 * uninterrupted one. Returns per consumer, plus what no result used at all.
 */
export function attributeSpent(consumers: readonly Consumer[]): { perConsumer: Map<Consumer, SpentCost>; unattributed: SpentCost } {
  const perConsumer = new Map<Consumer, SpentCost>(consumers.map((c) => [c, { prefill: 0, decoded: 0, wallMs: 0 }]));
  const unattributed: SpentCost = { prefill: 0, decoded: 0, wallMs: 0 };
  const streams = new Set<Stream>();
  for (const c of consumers) for (const s of c.marks.keys()) streams.add(s);
  for (const s of streams) {
    const usersOfStream = consumers.filter((c) => c.marks.has(s));
    for (const chunk of s.chunks) {
      let users = consumers.filter((c) => (c.marks.get(s) ?? -1) > chunk.start);
      if (users.length === 0) users = usersOfStream;
      const share = 1 / Math.max(1, users.length);
      const target = users.length === 0 ? [unattributed] : users.map((u) => perConsumer.get(u) as SpentCost);
      for (const t of target) {
        t.prefill += chunk.cost.tree.prefill * share;
        t.decoded += chunk.cost.tree.decoded * share;
        t.wallMs += chunk.cost.tree.wallMs * share;
      }
    }
  }
  return { perConsumer, unattributed };
}
