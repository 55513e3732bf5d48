import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.ts';
import { decodeMsPerToken, LATENCY_PRESETS, parseLatency } from './latency.ts';

describe('--latency presets and parallel slowdown', () => {
  it('names real servers: Ollama on one A100 with a 4-bit model, vLLM on one H100 in BF16', () => {
    expect(parseLatency('ollama-a100-q4')).toEqual({ prefillMsPerToken: 0.5, decodeMsPerToken: 30, slowdownPerSlot: 0.15 });
    expect(parseLatency(' vllm-h100-bf16 ')).toEqual({ prefillMsPerToken: 0.1, decodeMsPerToken: 25, slowdownPerSlot: 0.02 });
    // A preset is a copy: changing what a caller got does not change the next parse.
    parseLatency('ollama-a100-q4')!.decodeMsPerToken = 1;
    expect(parseLatency('ollama-a100-q4')!.decodeMsPerToken).toBe(30);
    // The batched engine loses far less per stream to parallel work than Ollama's slots do.
    const ollama = LATENCY_PRESETS['ollama-a100-q4']!;
    const vllm = LATENCY_PRESETS['vllm-h100-bf16']!;
    expect(decodeMsPerToken(vllm, 4) / decodeMsPerToken(vllm, 1)).toBeLessThan(decodeMsPerToken(ollama, 4) / decodeMsPerToken(ollama, 1));
  });

  it('slows each stream by the share per extra busy slot', () => {
    const spec = parseLatency('decode=10ms,slowdown=20%')!;
    expect(spec.slowdownPerSlot).toBeCloseTo(0.2);
    expect(decodeMsPerToken(spec, 1)).toBe(10);
    expect(decodeMsPerToken(spec, 0)).toBe(10);
    expect(decodeMsPerToken(spec, 4)).toBeCloseTo(16);
    expect(decodeMsPerToken(parseLatency('decode=2ms'), 8)).toBe(2);
    expect(decodeMsPerToken(undefined, 3)).toBe(0);
  });

  it('names the presets when a spec is neither a preset nor entries', () => {
    expect(() => parseLatency('ollama-a100')).toThrow(InputError);
    expect(() => parseLatency('ollama-a100')).toThrow(/ollama-a100-q4, vllm-h100-bf16/);
    expect(() => parseLatency('slowdown=fast')).toThrow(/entry "slowdown=fast"/);
  });
});
