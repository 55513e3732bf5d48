import { RAML_PROMPT_SUFFIX, userContent, type ChatTemplate, type RenderInput, type TemplateOptions } from './template.ts';

/**
 * DeepSeek-R1 and its Qwen/Llama distills:
 * `<｜begin▁of▁sentence｜>{system}<｜User｜>{prompt}<｜Assistant｜><think>\n`.
 * The markers use fullwidth bars (U+FF5C) and U+2581, exactly as the tokenizer defines them.
 */
export function deepseekR1(options: TemplateOptions = {}): ChatTemplate {
  const prefill = options.prefillThink ?? true;
  const promptSuffix = options.promptSuffix ?? RAML_PROMPT_SUFFIX;
  return {
    name: 'deepseek-r1',
    thinkOpen: '<think>',
    thinkClose: '</think>',
    endOfTurn: '<｜end▁of▁sentence｜>',
    stopStrings: ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜User｜>', '<｜Assistant｜>'],
    opensThinkingItself: !prefill,
    promptSuffix,
    render(input: RenderInput): string {
      return (
        `<｜begin▁of▁sentence｜>${input.system ?? ''}<｜User｜>${userContent(input, promptSuffix)}<｜Assistant｜>` +
        (prefill ? '<think>\n' : '')
      );
    },
  };
}
