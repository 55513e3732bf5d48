import type { RunData, TraceRecord } from '../../run-data.ts';
import type { ConfidenceBlock } from '../payload.ts';
import { unshareTrunks, type PackedTrace } from '../trunks.ts';

/** The run's data travels gzip-compressed and base64-encoded in non-executable script elements. */
async function unpack<T>(base64: string): Promise<T> {
  const binary = atob(base64.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text()) as T;
}

/** Everything but the trace texts (`traces` is empty): what the first view needs. */
export async function loadRunData(): Promise<RunData> {
  const holder = document.getElementById('tp-data');
  if (!holder) throw new Error('report data block is missing');
  return unpack<RunData>(holder.textContent ?? '');
}

/** Trace texts by index, decoded a chunk at a time the first time one of its traces is asked for. */
export interface TraceSource {
  /** The trace if its chunk is already decoded (so a view can draw it without waiting). */
  cached(index: number): TraceRecord | undefined;
  load(index: number): Promise<TraceRecord | undefined>;
}

/** Reads the trace block written by payload.ts: a line of chunk numbers per trace index, then one line per chunk. */
export function traceSource(): TraceSource {
  const holder = document.getElementById('tp-traces');
  let lines: string[] | undefined;
  const line = (at: number): string | undefined => (lines ??= (holder?.textContent ?? '').split('\n').filter((l) => l.trim() !== ''))[at];
  let chunkOf: number[] | undefined;
  let index: Promise<number[]> | undefined;
  const pending = new Map<number, Promise<Map<number, TraceRecord>>>();
  const ready = new Map<number, Map<number, TraceRecord>>();
  const chunk = (c: number): Promise<Map<number, TraceRecord>> => {
    let decoding = pending.get(c);
    if (!decoding) {
      const text = line(c + 1);
      decoding = (text === undefined ? Promise.resolve([]) : unpack<Array<[number, PackedTrace]>>(text)).then((pairs) => {
        const traces = unshareTrunks(pairs);
        ready.set(c, traces);
        return traces;
      });
      pending.set(c, decoding);
    }
    return decoding;
  };
  return {
    cached: (i) => ready.get(chunkOf?.[i] ?? -1)?.get(i),
    async load(i) {
      const text = line(0);
      if (text === undefined) return undefined;
      index ??= unpack<number[]>(text).then((of) => (chunkOf = of));
      const c = (await index)[i];
      return c === undefined || c < 0 ? undefined : (await chunk(c)).get(i);
    },
  };
}

let confidence: Promise<void> | undefined;

/** Fills in every result's confidence points and reflection words (left out of the first decode), once. */
export function attachConfidence(data: RunData): Promise<void> {
  confidence ??= (async () => {
    const holder = document.getElementById('tp-confidence');
    const block = holder ? await unpack<ConfidenceBlock>(holder.textContent ?? '') : { confidence: [], reflections: [] };
    data.results.forEach((result, i) => {
      result.confidence = block.confidence[i] ?? result.confidence;
      const reflections = block.reflections[i];
      if (reflections) result.reflections = reflections;
    });
  })();
  return confidence;
}
