import { baselineOutput } from './baseline.ts';
import type { Intervention } from '../engine/intervention.ts';

/** L1-style length instruction in the user turn: a prompt variant with its own trunk; nothing is enforced. */
export function softBudget(options: { tokens: number; text?: string }): Intervention {
  const text = (options.text ?? '\n\nThink for maximum {tokens} tokens.').replaceAll('{tokens}', String(options.tokens));
  return {
    type: 'softBudget',
    params: options.text === undefined ? { type: 'softBudget', tokens: options.tokens } : { type: 'softBudget', tokens: options.tokens, text: options.text },
    describe: () => `softBudget(${options.tokens})`,
    userSuffix: text,
    run: baselineOutput,
  };
}
