import type { RunData, TraceRecord } from '../../run-data.ts';
import type { ConfidenceBlock } from '../payload.ts';

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

export function traceSource(): TraceSource {
  const holder = document.getElementById('tp-traces');
  const size = Number(holder?.dataset['chunk'] ?? '0');
  let lines: string[] | undefined;
  const decoded = new Map<number, Promise<TraceRecord[]>>();
  const ready = new Map<number, TraceRecord[]>();
  const chunk = (index: number): Promise<TraceRecord[]> => {
    const at = Math.floor(index / size);
    let pending = decoded.get(at);
    if (!pending) {
      lines ??= (holder?.textContent ?? '').split('\n').filter((line) => line.trim() !== '');
      const line = lines[at];
      pending = line === undefined ? Promise.resolve([]) : unpack<TraceRecord[]>(line);
      void pending.then((traces) => ready.set(at, traces));
      decoded.set(at, pending);
    }
    return pending;
  };
  return {
    cached: (index) => (size > 0 ? ready.get(Math.floor(index / size))?.[index % size] : undefined),
    load: async (index) => (size > 0 && Number.isInteger(index) && index >= 0 ? (await chunk(index))[index % size] : undefined),
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
