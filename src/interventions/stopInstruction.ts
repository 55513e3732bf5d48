import { Type, type Static } from '@sinclair/typebox';
import { baselineOutput } from './baseline.ts';
import { clean, OptionalText, short } from './define.ts';
import type { Intervention } from '../plan/intervention.ts';

/** Qwen3's soft switch, appended to the user turn. */
export const NO_THINK_INSTRUCTION = ' /no_think';

export const type = 'stopInstruction';
export const schema = Type.Object({ text: OptionalText() }, { additionalProperties: false });
export type StopInstructionParams = Static<typeof schema>;

export function describe(p: StopInstructionParams): string {
  return p.text === undefined ? 'stopInstruction' : `stopInstruction(${short(p.text)})`;
}

/** Text added to the user turn (e.g. `/no_think`): a prompt variant, so its own trunk. */
export function build(p: StopInstructionParams = {}): Intervention {
  return {
    type,
    params: clean({ type, text: p.text }),
    describe: () => describe(p),
    userSuffix: p.text ?? NO_THINK_INSTRUCTION,
    run: baselineOutput,
  };
}

export const stopInstruction = build;
