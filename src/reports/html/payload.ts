import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ConfidencePoint, ResultSummary, RunData, TraceRecord } from '../run-data.ts';

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
  /** gzip+base64 JSON arrays of TRACE_CHUNK traces each, decoded only when a trace is opened. */
  traces: string[];
}

async function pack(value: unknown): Promise<string> {
  const bytes = await gzipAsync(Buffer.from(JSON.stringify(value), 'utf8'), { level: 6 });
  return bytes.toString('base64');
}

function chunks(traces: readonly TraceRecord[]): TraceRecord[][] {
  const out: TraceRecord[][] = [];
  for (let i = 0; i < traces.length; i += TRACE_CHUNK) out.push(traces.slice(i, i + TRACE_CHUNK));
  return out;
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
  const [packedCore, packedConfidence, ...packedTraces] = await Promise.all([pack(core), pack(confidence), ...chunks(traces).map(pack)]);
  return { core: packedCore ?? '', confidence: packedConfidence ?? '', traces: packedTraces };
}
