import { InputError } from '../core/errors.ts';
import type { ModelInfo } from '../backends/backend.ts';
import { chatmlQwq } from './chatml-qwq.ts';
import { deepseekR1 } from './deepseek-r1.ts';
import { qwen3 } from './qwen3.ts';
import type { ChatTemplate, TemplateOptions } from './template.ts';

export { chatmlQwq } from './chatml-qwq.ts';
export { qwen3, QWEN3_BUDGET_CLOSE, QWEN3_NO_THINK, type Qwen3Template } from './qwen3.ts';
export { deepseekR1 } from './deepseek-r1.ts';
export { customTemplate, type CustomTemplateSpec } from './custom.ts';
export { RAML_PROMPT_SUFFIX, thinkingBounds, type ChatTemplate, type RenderInput, type TemplateOptions, type ThinkingBounds } from './template.ts';

/** Names accepted by `--template` and a suite's `template:` field. */
const BUILT_IN: Record<string, (options?: TemplateOptions) => ChatTemplate> = {
  'chatml-qwq': chatmlQwq,
  qwq: chatmlQwq,
  'qwen2.5': chatmlQwq,
  chatml: chatmlQwq,
  qwen3: qwen3,
  'deepseek-r1': deepseekR1,
  r1: deepseekR1,
};

export const TEMPLATE_NAMES = ['chatml-qwq', 'qwen3', 'deepseek-r1'] as const;

/**
 * Whether the server's own template (Ollama Go-template text from /api/show) prefills `<think>`
 * after the assistant header. Ollama's qwq and deepseek-r1 templates do not (the model writes it),
 * Hugging Face's QwQ chat template does. thinkprobe prefills by default (RaML's setting, and the
 * thinking is then always open); pass `{ prefillThink: servedTemplatePrefillsThink(info.templateText) }`
 * to pickTemplate to mirror the model exactly as served.
 */
export function servedTemplatePrefillsThink(templateText: string): boolean {
  return /(<\|im_start\|>assistant\n|<｜Assistant｜>)<think>/.test(templateText);
}

/**
 * The template for a model: `override` (from `--template` or the suite) when given, else
 * recognised from `/api/show`: the template text first (R1 distills report the family of their
 * base, qwen2 or llama, but keep R1's markers), then the family. Never a guess: an unknown model
 * is an InputError telling the user to pass `--template`.
 */
export function pickTemplate(info: ModelInfo, override?: string, options: TemplateOptions = {}): ChatTemplate {
  if (override !== undefined) {
    const make = BUILT_IN[override.trim().toLowerCase()];
    if (!make) {
      throw new InputError('--template', `unknown template '${override}'; expected one of ${TEMPLATE_NAMES.join(', ')} (or a custom template in the suite)`);
    }
    return make(options);
  }
  const text = info.templateText;
  const family = info.family.toLowerCase();
  // Only R1's own markers decide: other DeepSeek models (V2, V3 chat) share the family but not the template.
  if (text.includes('<｜Assistant｜>') && text.includes('<｜User｜>')) return deepseekR1(options);
  if (family.startsWith('qwen3')) return qwen3(options);
  if (text.includes('<|im_start|>') && (family === '' || family.startsWith('qwen2'))) return chatmlQwq(options);
  throw new InputError(
    `model '${info.name}'`,
    `unknown chat template (family '${info.family || 'unknown'}'); pass --template ${TEMPLATE_NAMES.join('|')} or give a custom template in the suite`,
  );
}
