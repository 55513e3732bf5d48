/**
 * Latency emulation: `prefill=0.05ms,decode=2ms` = time per newly prefilled prompt token and per
 * generated token; `slowdown=15%` = extra decode time per additional busy slot (a server shares
 * its GPU between parallel streams). Units: ns, us (or µs), ms, s. Off (zero) by default.
 * Named presets reproduce real QwQ-32B servers (figures and sources: src/sim/CALIBRATION.md).
 */
import { InputError } from '../../core/errors.ts';

export interface LatencySpec {
  prefillMsPerToken: number;
  decodeMsPerToken: number;
  /** Fractional extra decode time per additional busy slot (0 = parallel streams do not slow each other). */
  slowdownPerSlot?: number;
}

/** Presets of real servers (per stream; see src/sim/CALIBRATION.md, "Latency presets"). */
export const LATENCY_PRESETS: Readonly<Record<string, Required<LatencySpec>>> = {
  // Ollama (llama.cpp kernels), QwQ-32B Q4_K_M on one A100 80GB.
  'ollama-a100-q4': { prefillMsPerToken: 0.5, decodeMsPerToken: 30, slowdownPerSlot: 0.15 },
  // vLLM, QwQ-32B BF16 on one H100 80GB, continuous batching.
  'vllm-h100-bf16': { prefillMsPerToken: 0.1, decodeMsPerToken: 25, slowdownPerSlot: 0.02 },
};

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000 };

export function parseLatency(spec: string | undefined): LatencySpec | undefined {
  if (spec === undefined || spec.trim() === '') return undefined;
  const preset = LATENCY_PRESETS[spec.trim()];
  if (preset) return { ...preset };
  const out: LatencySpec = { prefillMsPerToken: 0, decodeMsPerToken: 0 };
  for (const entry of spec.split(',')) {
    const slowdown = /^\s*slowdown\s*=\s*([0-9]*\.?[0-9]+)\s*%\s*$/u.exec(entry);
    if (slowdown) {
      out.slowdownPerSlot = Number(slowdown[1]) / 100;
      continue;
    }
    const match = /^\s*(prefill|decode)\s*=\s*([0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)\s*(ns|us|µs|ms|s)\s*$/u.exec(entry);
    if (!match) {
      throw new InputError(
        '--latency',
        `entry "${entry}" is not prefill=<time>, decode=<time> (units ns, us, ms, s) or slowdown=<percent>, e.g. prefill=0.05ms,decode=2ms; or a preset: ${Object.keys(LATENCY_PRESETS).join(', ')}`,
      );
    }
    const [, name, number = '0', unit = 'ms'] = match;
    const ms = Number(number) * (unitMs[unit] ?? 1);
    if (name === 'prefill') out.prefillMsPerToken = ms;
    else out.decodeMsPerToken = ms;
  }
  return out;
}

/** Decode time per token for a stream that starts while `busySlots` slots (itself included) are generating. */
export function decodeMsPerToken(spec: LatencySpec | undefined, busySlots: number): number {
  if (!spec) return 0;
  return spec.decodeMsPerToken * (1 + (spec.slowdownPerSlot ?? 0) * Math.max(0, busySlots - 1));
}
