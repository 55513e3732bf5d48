/**
 * A chat template as thinkprobe uses it: the harness renders raw prompts itself (Ollama `raw: true`)
 * so interventions can reach inside the thinking. One file per family implements this.
 */

export interface RenderInput {
  /** The question exactly as it goes into the prompt. */
  question: string;
  /** Optional system message, rendered in the family's system slot. */
  system?: string;
  /** Appended verbatim to the user turn after the default instruction (e.g. ` /no_think`); include your own separator. */
  userSuffix?: string;
}

export interface ChatTemplate {
  /** e.g. `chatml-qwq`, `qwen3`, `deepseek-r1`, or a custom template's name. */
  readonly name: string;
  /**
   * The raw prompt: the user turn, then the assistant turn left open. When `opensThinkingItself` is
   * false it ends right after `thinkOpen` + "\n" (thinking opened by the prompt); when true it ends
   * where the model is expected to write `thinkOpen` itself.
   */
  render(input: RenderInput): string;
  readonly thinkOpen: string;
  readonly thinkClose: string;
  /** The model's end-of-turn marker (also a stop string). */
  readonly endOfTurn: string;
  /** Stop strings to send with every request, as Ollama's model parameters would. */
  readonly stopStrings: readonly string[];
  /** True when the prompt does not prefill `thinkOpen` and the model writes it (Ollama's own qwq template). */
  readonly opensThinkingItself: boolean;
  /** The default instruction appended to the question, e.g. RaML's `\n\nPlease reason step by step, ...`. */
  readonly promptSuffix: string;
}

/** RaML's prompt instruction (arXiv 2505.19815), appended to the question by default. */
export const RAML_PROMPT_SUFFIX = '\n\nPlease reason step by step, and put your final answer within \\boxed{}.';

export interface TemplateOptions {
  /** Prefill `<think>\n` in the prompt (default) or let the model write it (`false`). */
  prefillThink?: boolean;
  /** Replaces the default instruction after the question (`''` for none). */
  promptSuffix?: string;
}

export interface ThinkingBounds {
  /** Offset in the generated text where the thinking content starts (after a self-written `thinkOpen`). */
  thinkingStart: number;
  /** Offset of `thinkClose`, when the model closed its thinking. */
  thinkingEnd?: number;
  /** Offset right after `thinkClose`, where the answer starts. */
  answerStart?: number;
}

/**
 * Where thinking and answer sit in text generated after `render()`: handles a model that writes
 * `thinkOpen` itself (leading whitespace allowed) as well as one whose thinking the prompt opened.
 * A model that was expected to open its thinking but did not is treated as thinking from offset 0.
 */
export function thinkingBounds(template: ChatTemplate, generated: string): ThinkingBounds {
  let thinkingStart = 0;
  if (template.opensThinkingItself) {
    const lead = /^\s*/.exec(generated)?.[0].length ?? 0;
    if (generated.startsWith(template.thinkOpen, lead)) {
      thinkingStart = lead + template.thinkOpen.length;
      if (generated[thinkingStart] === '\n') thinkingStart++;
    }
  }
  const close = generated.indexOf(template.thinkClose, thinkingStart);
  if (close < 0) return { thinkingStart };
  return { thinkingStart, thinkingEnd: close, answerStart: close + template.thinkClose.length };
}

/** The user turn's content: question, default instruction, then the caller's suffix. */
export function userContent(input: RenderInput, promptSuffix: string): string {
  return input.question + promptSuffix + (input.userSuffix ?? '');
}
