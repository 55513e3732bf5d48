import type { Completion } from '../backends/backend.ts';
import { decodeCompletion } from './completion-codec.ts';

/**
 * A hit hands out one frozen completion, decoded once by the key's first hit, instead of decoding
 * a fresh copy each time (a run of suites/termination.yaml has 1,785 hits on 751 keys). Freezing
 * makes "no caller changes what a later read returns" a guarantee: a caller that mutates throws
 * (ESM is strict mode) instead of corrupting later hits. The completion a put was given is not
 * shared: its caller still holds it, so the store keeps it encoded.
 */
export function decodeFrozen(stored: string | Buffer, where: string): Completion {
  const completion = decodeCompletion(stored, where);
  if (typeof stored === 'string') return deepFreeze(completion);
  // Decoded from columns, the tokens are of the codec's making: a loop without looking at fields.
  const record = completion as unknown as Record<string, unknown>;
  for (const key in record) if (key !== 'tokens') deepFreeze(record[key]);
  const tokens = completion.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const top = token.top;
    for (let k = 0; k < top.length; k++) Object.freeze(top[k]);
    Object.freeze(top);
    Object.freeze(token);
  }
  Object.freeze(tokens);
  return Object.freeze(completion);
}

/** Freezes a JSON-shaped value and everything reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
