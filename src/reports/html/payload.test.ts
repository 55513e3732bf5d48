import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../../tests/fixtures/synthetic-run.ts';
import type { TraceRecord } from '../run-data.ts';
import { encodePayload, TRACE_CHUNK, traceOrder } from './payload.ts';
import { shareTrunks, unshareTrunks, type PackedTrace } from './trunks.ts';

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
    const decoded = chunks.map((c) => unshareTrunks(unpack<Array<[number, PackedTrace]>>(c)));
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

  it('stores a branch\'s copy of its trunk once: a reference to the trunk and the branch\'s own tail', () => {
    const trunk = Array.from({ length: 60 }, (_, i) => `Step ${i}: ${i * i}.`).join(' ');
    const prompt = '<|im_start|>user\nWhat is 2+2? Please reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n';
    const traces: TraceRecord[] = [
      { segments: [{ kind: 'prompt', text: prompt }, { kind: 'generated', text: `${trunk}</think> \\boxed{4}` }], probes: [{ offset: 3, position: 1, lhat: 0.5 }] },
      { segments: [{ kind: 'prompt', text: prompt }, { kind: 'generated', text: trunk.slice(0, 300) }, { kind: 'injected', text: '\n</think>\n\n', label: 'budget(80)' }, { kind: 'generated', text: '\\boxed{5}' }], probes: [] },
      { segments: [{ kind: 'prompt', text: prompt }, { kind: 'generated', text: trunk }, { kind: 'injected', text: 'Wait', label: 'extend(Wait x1)' }, { kind: 'generated', text: ' ü🙂'.repeat(30) }], probes: [] },
      // Not a prefix of anything earlier (differs in its last character): stored whole.
      { segments: [{ kind: 'generated', text: `${trunk.slice(0, 199)}X` }], probes: [] },
    ];
    const chunk = traces.map((t, i) => [i + 10, t] as const);
    const packed = shareTrunks(chunk);
    const json = JSON.stringify(packed);
    // The trunk's text appears once; the prompt once; the branches keep their own tails.
    expect(json.split(trunk.slice(0, 100)).length - 1).toBe(2); // in the trunk, and in the last trace, which may point at no prefix
    expect(json.split('What is 2+2?').length - 1).toBe(1);
    expect(packed[1]?.[1].segments[1]).toEqual({ kind: 'generated', of: 10, at: 1, length: 300 });
    expect(packed[2]?.[1].segments[2]).toEqual({ kind: 'injected', text: 'Wait', label: 'extend(Wait x1)' });
    const back = unshareTrunks(JSON.parse(json) as Array<[number, PackedTrace]>);
    traces.forEach((t, i) => expect(back.get(i + 10)).toEqual(t));
  });
});

