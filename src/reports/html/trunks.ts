/** How a trace chunk stores branches that repeat their trunk: pure, shared by the builder and the browser client. */
import type { TraceRecord, TraceSegment } from '../run-data.ts';

/**
 * A segment as a chunk stores it: whole, or as a prefix of a segment of a trace stored earlier in
 * the same chunk (`of`: that trace's index, `at`: its segment, `length`: UTF-16 code units kept).
 * A budget's or extend's branch repeats its trunk's thinking up to the branch point: it is stored
 * once, and each branch adds only its own tail.
 */
export type PackedSegment = TraceSegment | { kind: TraceSegment['kind']; of: number; at: number; length: number; label?: string };
export interface PackedTrace {
  segments: PackedSegment[];
  probes: TraceRecord['probes'];
}

/** Shortest segment worth a reference: below this the reference costs about what the text does. */
const MIN_SHARED = 64;

/** Replaces every segment that is a prefix of an earlier trace's segment in the chunk by a reference to it. */
export function shareTrunks(chunk: ReadonlyArray<readonly [number, TraceRecord]>): Array<[number, PackedTrace]> {
  const earlier: Array<{ index: number; segments: TraceSegment[] }> = [];
  return chunk.map(([index, trace]) => {
    const segments = trace.segments.map((segment): PackedSegment => {
      if (segment.text.length < MIN_SHARED) return segment;
      for (const prior of earlier) {
        const at = prior.segments.findIndex((s) => s.text.startsWith(segment.text));
        if (at >= 0) return { kind: segment.kind, of: prior.index, at, length: segment.text.length, ...(segment.label === undefined ? {} : { label: segment.label }) };
      }
      return segment;
    });
    earlier.push({ index, segments: trace.segments });
    return [index, { segments, probes: trace.probes }];
  });
}

/** The chunk's traces back from their packed form (references resolve to traces earlier in the same chunk). */
export function unshareTrunks(chunk: ReadonlyArray<readonly [number, PackedTrace]>): Map<number, TraceRecord> {
  const traces = new Map<number, TraceRecord>();
  for (const [index, packed] of chunk) {
    const segments = packed.segments.map((segment): TraceSegment => {
      if (!('of' in segment)) return segment;
      const text = traces.get(segment.of)?.segments[segment.at]?.text.slice(0, segment.length) ?? '';
      return { kind: segment.kind, text, ...(segment.label === undefined ? {} : { label: segment.label }) };
    });
    traces.set(index, { segments, probes: packed.probes });
  }
  return traces;
}
