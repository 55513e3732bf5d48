import { chatmlQwq, renderChatml } from './chatml-qwq.ts';
import { userContent, type ChatTemplate, type RenderInput, type TemplateOptions } from './template.ts';

/** Qwen3's soft switch: appended to the user turn, the model answers with an empty thinking block. */
export const QWEN3_NO_THINK = ' /no_think';

/**
 * What Qwen3's reference budget code inserts when the thinking budget is spent: the closing
 * sentence, the thinking delimiter, then the answer starts.
 */
export const QWEN3_BUDGET_CLOSE =
  'Considering the limited time by the user, I have to give the solution based on the thinking directly now.\n</think>.\n\n';

export interface Qwen3Template extends ChatTemplate {
  readonly noThinkSuffix: string;
  readonly budgetClose: string;
}

/**
 * Qwen3 (ChatML, thinking on by default). The model normally writes `<think>` itself; we prefill
 * it by default so every family's prompt ends inside opened thinking (`prefillThink: false` to
 * leave it to the model). `noThink: true` appends `/no_think` to every user turn.
 */
export function qwen3(options: TemplateOptions & { noThink?: boolean } = {}): Qwen3Template {
  // Qwen3 speaks the same ChatML as QwQ; it adds the /no_think switch and its budget sentence.
  const chatml = chatmlQwq(options);
  const switchText = options.noThink ? QWEN3_NO_THINK : '';
  return {
    ...chatml,
    name: 'qwen3',
    noThinkSuffix: QWEN3_NO_THINK,
    budgetClose: QWEN3_BUDGET_CLOSE,
    render(input: RenderInput): string {
      return renderChatml(input, userContent(input, chatml.promptSuffix) + switchText, !chatml.opensThinkingItself);
    },
  };
}
