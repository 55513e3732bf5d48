import { RAML_PROMPT_SUFFIX, userContent, type ChatTemplate, type RenderInput, type TemplateOptions } from './template.ts';

/**
 * QwQ-32B and Qwen2.5 (ChatML):
 * `<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n<think>\n`.
 * Ollama's own qwq template stops after `assistant\n` and lets the model write `<think>`;
 * `prefillThink: false` reproduces that.
 */
export function chatmlQwq(options: TemplateOptions = {}): ChatTemplate {
  const prefill = options.prefillThink ?? true;
  const promptSuffix = options.promptSuffix ?? RAML_PROMPT_SUFFIX;
  return {
    name: 'chatml-qwq',
    thinkOpen: '<think>',
    thinkClose: '</think>',
    endOfTurn: '<|im_end|>',
    stopStrings: ['<|im_start|>', '<|im_end|>'],
    opensThinkingItself: !prefill,
    promptSuffix,
    render(input: RenderInput): string {
      return renderChatml(input, userContent(input, promptSuffix), prefill);
    },
  };
}

/** One ChatML exchange (QwQ, Qwen2.5, Qwen3): optional system turn, the user turn, the opened assistant turn. */
export function renderChatml(input: RenderInput, user: string, prefillThink: boolean): string {
  const system = input.system !== undefined ? `<|im_start|>system\n${input.system}<|im_end|>\n` : '';
  return `${system}<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n` + (prefillThink ? '<think>\n' : '');
}
