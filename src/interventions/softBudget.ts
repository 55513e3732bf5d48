import { Type, type Static } from '@sinclair/typebox';
import { PositiveInt } from '../core/typebox.ts';
import { baselineOutput } from './baseline.ts';
import { OptionalText } from './define.ts';
import type { Intervention } from '../plan/intervention.ts';

export const type = 'softBudget';
export const schema = Type.Object({ tokens: PositiveInt(), text: OptionalText() }, { additionalProperties: false });
export type SoftBudgetParams = Static<typeof schema>;

export function describe(p: SoftBudgetParams): string {
  return `softBudget(${p.tokens})`;
}

/** L1-style length instruction in the user turn: a prompt variant with its own trunk; nothing is enforced. */
export function build(p: SoftBudgetParams): Intervention {
  const text = (p.text ?? '\n\nThink for maximum {tokens} tokens.').replaceAll('{tokens}', String(p.tokens));
  return {
    type,
    params: p.text === undefined ? { type, tokens: p.tokens } : { type, tokens: p.tokens, text: p.text },
    describe: () => describe(p),
    userSuffix: text,
    run: baselineOutput,
  };
}

export const softBudget = build;
