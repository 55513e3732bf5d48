/**
 * Reproducible fault injection for /api/generate and /api/chat. Spec:
 * `http500=0.1,http503=0.05,cut=0.05,errorline=0.02,nodone=0.02,slow=0.01,slowms=1500,seed=7`.
 * Whether request number n (1-based, counting generate and chat requests) gets a fault, and which,
 * is decided by a seeded hash of n alone, so the same spec and request order give the same faults.
 */
import { InputError } from '../../core/errors.ts';

export const faultKinds = ['http500', 'http503', 'cut', 'errorline', 'nodone', 'slow'] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface FaultSpec {
  rates: Record<FaultKind, number>;
  seed: number;
  /** Delay of the first byte for `slow`, in ms. */
  slowMs: number;
}

export interface FaultDecision {
  kind: FaultKind;
  /** For mid-stream faults: how many tokens are sent before the fault strikes (>= 1). */
  afterTokens: number;
}

const where = '--faults';

export function parseFaults(spec: string | undefined): FaultSpec | undefined {
  if (spec === undefined || spec.trim() === '') return undefined;
  const rates = Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  let seed = 0;
  let slowMs = 1000;
  for (const entry of spec.split(',')) {
    const match = /^\s*([a-z0-9]+)\s*=\s*([^\s,]+)\s*$/u.exec(entry);
    if (!match) throw new InputError(where, `entry "${entry}" is not name=value (expected e.g. http500=0.1,cut=0.05,seed=7)`);
    const [, name = '', text = ''] = match;
    const value = Number(text);
    if (!Number.isFinite(value)) throw new InputError(where, `entry "${entry}": "${text}" is not a number`);
    if (name === 'seed') {
      if (!Number.isInteger(value)) throw new InputError(where, `entry "${entry}": seed must be an integer`);
      seed = value;
    } else if (name === 'slowms') {
      if (value < 0) throw new InputError(where, `entry "${entry}": slowms must be >= 0`);
      slowMs = value;
    } else if ((faultKinds as readonly string[]).includes(name)) {
      if (value < 0 || value > 1) throw new InputError(where, `entry "${entry}": a rate must be between 0 and 1`);
      rates[name as FaultKind] = value;
    } else {
      throw new InputError(where, `entry "${entry}": unknown fault "${name}" (expected one of ${faultKinds.join(', ')}, seed, slowms)`);
    }
  }
  const total = faultKinds.reduce((sum, kind) => sum + rates[kind], 0);
  if (total > 1 + 1e-9) throw new InputError(where, `rates add up to ${total.toFixed(3)}, more than 1`);
  return { rates, seed, slowMs };
}

/** A 32-bit avalanche hash (murmur3 finalizer) of seed and n, mapped to [0, 1). */
export function unitHash(seed: number, n: number, salt = 0): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(n | 0, 0x85ebca6b) ^ Math.imul(salt | 0, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

export function decideFault(spec: FaultSpec | undefined, requestNumber: number): FaultDecision | undefined {
  if (!spec) return undefined;
  const u = unitHash(spec.seed, requestNumber);
  let edge = 0;
  for (const kind of faultKinds) {
    edge += spec.rates[kind];
    if (u < edge) return { kind, afterTokens: 1 + Math.floor(unitHash(spec.seed, requestNumber, 1) * 8) };
  }
  return undefined;
}
