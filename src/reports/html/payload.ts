import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ConfidencePoint, ResultSummary, RunData, TraceRecord } from '../run-data.ts';
import { shareTrunks } from './trunks.ts';

const gzipAsync = promisify(gzip);

/** Traces per compressed chunk: small enough that opening one trace decodes ~100 KB, large enough to compress well. */
export const TRACE_CHUNK = 32;

/** What the confidence and trace views need of every result, decoded when one of them first opens. */
export interface ConfidenceBlock {
  confidence: ConfidencePoint[][];
  reflections: Array<ResultSummary['reflections'] | null>;
}

export interface Payload {
  /** gzip+base64 JSON of the run without trace texts and confidence points: what the first view needs. */
  core: string;
  /** gzip+base64 JSON ConfidenceBlock: each result's confidence points and reflection words, by result index. */
  confidence: string;
  /**
   * gzip+base64 lines: first the chunk number of every trace index (JSON number[]), then the
   * chunks, JSON arrays of up to TRACE_CHUNK [index, PackedTrace] pairs (see shareTrunks), decoded
   * only when a trace is opened.
   */
  traces: string[];
}

async function pack(value: unknown): Promise<string> {
  const bytes = await gzipAsync(Buffer.from(JSON.stringify(value), 'utf8'), { level: 6 });
  return bytes.toString('base64');
}

/**
 * Trace indices with the traces of one problem and sample side by side: a budget's or a probe's
 * trace repeats the trunk of its problem's baseline, and gzip finds a repeat only within its
 * 32 KB window, so neighbours compress into little more than their own tails. Results come
 * grouped by intervention; traces no result names go last.
 */
export function traceOrder(data: Pick<RunData, 'results' | 'traces'>): number[] {
  const named = data.results
    .filter((r) => typeof r.trace === 'number' && r.trace >= 0 && r.trace < data.traces.length)
    .map((r, at) => ({ trace: r.trace as number, key: `${r.problemId}\u0000${r.sample}`, at }));
  const first = new Map<string, number>();
  for (const n of named) if (!first.has(n.key)) first.set(n.key, n.at);
  named.sort((a, b) => (first.get(a.key) ?? 0) - (first.get(b.key) ?? 0) || a.at - b.at);
  const order = [...new Set(named.map((n) => n.trace))];
  const seen = new Set(order);
  for (let i = 0; i < data.traces.length; i++) if (!seen.has(i)) order.push(i);
  return order;
}

/** Chunks of [trace index, trace] pairs in `order`, and for each trace index the chunk that holds it. */
export function traceChunks(traces: readonly TraceRecord[], order: readonly number[]): { chunks: Array<Array<[number, TraceRecord]>>; chunkOf: number[] } {
  const chunks: Array<Array<[number, TraceRecord]>> = [];
  const chunkOf = new Array<number>(traces.length).fill(-1);
  order.forEach((index, at) => {
    const trace = traces[index];
    if (!trace) return;
    const c = Math.floor(at / TRACE_CHUNK);
    (chunks[c] ??= []).push([index, trace]);
    chunkOf[index] = c;
  });
  return { chunks, chunkOf };
}

/**
 * The trace texts are most of a run's bytes (about 80% at QwQ length) but only the trace viewer
 * reads them, one at a time: they travel in separately compressed chunks so the report opens
 * without decoding them. The confidence points (most of the rest) wait for the views that draw
 * them. Blocks compress on zlib's thread pool, in parallel.
 */
export async function encodePayload(data: RunData): Promise<Payload> {
  const { traces, results, ...rest } = data;
  const core = { ...rest, results: results.map(({ reflections: _reflections, ...r }) => ({ ...r, confidence: [] })), traces: [] } satisfies RunData;
  const confidence: ConfidenceBlock = { confidence: results.map((r) => r.confidence), reflections: results.map((r) => r.reflections ?? null) };
  const { chunks, chunkOf } = traceChunks(traces, traceOrder(data));
  const [packedCore, packedConfidence, ...packedTraces] = await Promise.all([pack(core), pack(confidence), pack(chunkOf), ...chunks.map((chunk) => pack(shareTrunks(chunk)))]);
  return { core: packedCore ?? '', confidence: packedConfidence ?? '', traces: packedTraces };
}
