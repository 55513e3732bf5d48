/**
 * Latency emulation: `prefill=0.05ms,decode=2ms` = time per newly prefilled prompt token and per
 * generated token. Units: ns, us (or µs), ms, s. Off (zero) by default.
 */
import { InputError } from '../../core/errors.ts';

export interface LatencySpec {
  prefillMsPerToken: number;
  decodeMsPerToken: number;
}

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000 };

export function parseLatency(spec: string | undefined): LatencySpec | undefined {
  if (spec === undefined || spec.trim() === '') return undefined;
  const out: LatencySpec = { prefillMsPerToken: 0, decodeMsPerToken: 0 };
  for (const entry of spec.split(',')) {
    const match = /^\s*(prefill|decode)\s*=\s*([0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)\s*(ns|us|µs|ms|s)\s*$/u.exec(entry);
    if (!match) {
      throw new InputError('--latency', `entry "${entry}" is not prefill=<time> or decode=<time> with a unit ns, us, ms or s (e.g. prefill=0.05ms,decode=2ms)`);
    }
    const [, name, number = '0', unit = 'ms'] = match;
    const ms = Number(number) * (unitMs[unit] ?? 1);
    if (name === 'prefill') out.prefillMsPerToken = ms;
    else out.decodeMsPerToken = ms;
  }
  return out;
}
