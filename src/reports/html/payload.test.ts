import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../../tests/fixtures/synthetic-run.ts';
import type { TraceRecord } from '../run-data.ts';
import { encodePayload, TRACE_CHUNK, traceOrder } from './payload.ts';

const unpack = <T>(base64: string): T => JSON.parse(gunzipSync(Buffer.from(base64, 'base64')).toString('utf8')) as T;

describe('encodePayload', () => {
  it('keeps every trace, confidence point and reflection word, reachable by its index', async () => {
    const data = syntheticRun({ problems: 30, samples: 2, interventions: ['baseline', 'budget(512)', 'noThinking'] });
    data.results[5]!.reflections = [{ position: 3, word: 'Wait' }];
    const payload = await encodePayload(data);
    const core = unpack<typeof data>(payload.core);
    expect(core.traces).toEqual([]);
    expect(core.results.every((r) => r.confidence.length === 0 && r.reflections === undefined)).toBe(true);
    expect(core.results.map((r) => r.trace)).toEqual(data.results.map((r) => r.trace));
    const block = unpack<{ confidence: unknown[]; reflections: unknown[] }>(payload.confidence);
    expect(block.confidence).toEqual(data.results.map((r) => r.confidence));
    expect(block.reflections[5]).toEqual([{ position: 3, word: 'Wait' }]);
    expect(block.reflections[4]).toBeNull();
    const [index, ...chunks] = payload.traces;
    const chunkOf = unpack<number[]>(index ?? '');
    const decoded = chunks.map((c) => new Map(unpack<Array<[number, TraceRecord]>>(c)));
    expect(decoded.every((c) => c.size <= TRACE_CHUNK)).toBe(true);
    data.traces.forEach((trace, i) => expect(decoded[chunkOf[i] ?? -1]?.get(i)).toEqual(trace));
  });

  it('puts the traces of one problem and sample side by side, whatever order the results come in', () => {
    const data = syntheticRun({ problems: 4, samples: 2, interventions: ['baseline', 'budget(512)', 'noThinking'] });
    data.results.sort((a, b) => a.intervention.localeCompare(b.intervention));
    const order = traceOrder(data);
    expect([...order].sort((a, b) => a - b)).toEqual(data.traces.map((_, i) => i));
    const keyOf = new Map(data.results.map((r) => [r.trace, `${r.problemId}#${r.sample}`]));
    const keys = order.map((t) => keyOf.get(t));
    // Each problem x sample is one run of 3 neighbouring traces.
    for (let i = 0; i < keys.length; i += 3) expect(new Set(keys.slice(i, i + 3)).size).toBe(1);
    expect(new Set(keys).size).toBe(8);
  });
});
