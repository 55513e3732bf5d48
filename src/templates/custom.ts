import { InputError } from '../core/errors.ts';
import { RAML_PROMPT_SUFFIX, userContent, type ChatTemplate, type RenderInput } from './template.ts';

/**
 * A template given as strings in a suite, for families thinkprobe does not know. Example (ChatML):
 *
 *   prompt:     "{system}<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n<think>\n"
 *   system:     "<|im_start|>system\n{system}<|im_end|>\n"
 *   thinkOpen:  "<think>"   thinkClose: "</think>"   endOfTurn: "<|im_end|>"
 *
 * `{prompt}` (required, once) becomes the user turn's content; `{system}` (optional) becomes the
 * `system` block with the system text in it, or nothing when there is no system message.
 * Substitution is a single pass, so a question that itself contains `{system}` stays literal.
 */
export interface CustomTemplateSpec {
  name?: string;
  prompt: string;
  system?: string;
  thinkOpen: string;
  thinkClose: string;
  endOfTurn: string;
  stopStrings?: string[];
  /** Whether `prompt` already ends with thinkOpen (prefilled). Detected from `prompt` when omitted. */
  prefillsThink?: boolean;
  promptSuffix?: string;
}

/** Builds a custom template; `where` names the suite field in errors, e.g. `suites/a.yaml: /template`. */
export function customTemplate(spec: CustomTemplateSpec, where = 'template'): ChatTemplate {
  const need = (field: keyof CustomTemplateSpec, value: unknown): string => {
    if (typeof value !== 'string' || value === '') throw new InputError(`${where}.${field}`, 'expected a non-empty string');
    return value;
  };
  const prompt = need('prompt', spec.prompt);
  const thinkOpen = need('thinkOpen', spec.thinkOpen);
  const thinkClose = need('thinkClose', spec.thinkClose);
  const endOfTurn = need('endOfTurn', spec.endOfTurn);
  const promptSlots = prompt.split('{prompt}').length - 1;
  if (promptSlots !== 1) {
    throw new InputError(`${where}.prompt`, `expected exactly one {prompt} placeholder, found ${promptSlots}`);
  }
  if (spec.system !== undefined && !spec.system.includes('{system}')) {
    throw new InputError(`${where}.system`, 'expected a {system} placeholder for the system text');
  }
  if (spec.stopStrings !== undefined && (!Array.isArray(spec.stopStrings) || spec.stopStrings.some((s) => typeof s !== 'string' || s === ''))) {
    throw new InputError(`${where}.stopStrings`, 'expected an array of non-empty strings');
  }
  const prefills = spec.prefillsThink ?? prompt.trimEnd().endsWith(thinkOpen);
  const promptSuffix = spec.promptSuffix ?? RAML_PROMPT_SUFFIX;
  const systemBlock = spec.system;
  return {
    name: spec.name ?? 'custom',
    thinkOpen,
    thinkClose,
    endOfTurn,
    stopStrings: spec.stopStrings ?? [endOfTurn],
    opensThinkingItself: !prefills,
    promptSuffix,
    render(input: RenderInput): string {
      const system =
        input.system === undefined ? '' : systemBlock === undefined ? input.system : systemBlock.replace('{system}', () => input.system ?? '');
      const content = userContent(input, promptSuffix);
      return prompt.replace(/\{(prompt|system)\}/g, (_m, slot: string) => (slot === 'prompt' ? content : system));
    },
  };
}
