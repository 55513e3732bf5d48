import { InputError } from '../core/errors.ts';

/** A whole-number flag within bounds, or one clear line naming the flag. */
export function integerFlag(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/u.test(text) || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(flag, `expected an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}
