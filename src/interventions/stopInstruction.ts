import { baselineOutput } from './baseline.ts';
import { clean, short } from './params.ts';
import type { Intervention } from '../engine/intervention.ts';

/** Qwen3's soft switch, appended to the user turn. */
export const NO_THINK_INSTRUCTION = ' /no_think';

/** Text added to the user turn (e.g. `/no_think`): a prompt variant, so its own trunk. */
export function stopInstruction(options: { text?: string } = {}): Intervention {
  const text = options.text ?? NO_THINK_INSTRUCTION;
  return {
    type: 'stopInstruction',
    params: clean({ type: 'stopInstruction', text: options.text }),
    describe: () => (options.text === undefined ? 'stopInstruction' : `stopInstruction(${short(options.text)})`),
    userSuffix: text,
    run: baselineOutput,
  };
}
