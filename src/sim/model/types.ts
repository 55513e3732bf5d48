/**
 * The contract between the simulator's behaviour model (src/sim/model) and its HTTP server
 * (src/sim/server). The server speaks Ollama's API and owns everything about the wire: rendering
 * non-raw prompts through the card's template, stop strings, num_predict, top_logprobs truncation,
 * KV-cache slots, latency, faults. The model owns the tokenizer and what comes next after a prompt.
 */

export interface TokenAlternative {
  token: string;
  /** Natural log of the model's raw probability (before temperature / top-k / top-p). */
  logprob: number;
}

export interface GeneratedToken {
  token: string;
  /** Raw logprob of this token, as Ollama <= 0.24 reports it (before temperature and truncation). */
  logprob: number;
  /**
   * The distribution it was sampled from: up to 20 most likely tokens, most likely first, raw
   * logprobs. Contains `token` itself whenever it ranks in the top 20. Probabilities sum to <= 1.
   */
  top: TokenAlternative[];
}

export interface SamplingOptions {
  seed: number;
  /** 0 = greedy (argmax); Ollama's default is 0.8. */
  temperature: number;
  /** 0 = off. */
  topK: number;
  /** 1 = off. */
  topP: number;
}

/** A generation in progress. The model never stops by itself except by returning null (its end-of-turn token). */
export interface Generation {
  /** Next token, or null when the model ends its turn (Ollama's done_reason "stop"). */
  next(): GeneratedToken | null;
}

export interface SimTemplate {
  /** Template family, as /api/show reports it in details.family, e.g. "qwen2". */
  family: string;
  /** Ollama Go-template text, reported verbatim by /api/show. */
  ollamaTemplate: string;
  /** Renders a chat for a non-raw request; `continueLast` leaves a trailing assistant message open. */
  render(messages: { role: 'system' | 'user' | 'assistant'; content: string }[], continueLast: boolean): string;
  thinkOpen: string;
  thinkClose: string;
  /** Strings Ollama would have as the model's stop parameters, e.g. ["<|im_start|>", "<|im_end|>"]. */
  stop: string[];
}

export interface SimModel {
  /** Card name, e.g. "sim-qwq"; served as model name "<name>:latest" and "<name>". */
  readonly name: string;
  readonly contextLength: number;
  readonly template: SimTemplate;
  /** Deterministic, prefix-stable tokenizer (see tokenizer.ts). */
  tokenize(text: string): string[];
  /** Start generating after a fully rendered raw prompt. Same prompt + options = same tokens. */
  start(prompt: string, options: SamplingOptions): Generation;
  /**
   * Truth for tests: the model's exact raw log-probability of `continuation` as the next text
   * after `prompt` (sum over its tokens, teacher-forced), and per token.
   */
  logprobOf(prompt: string, continuation: string): { logprob: number; tokens: GeneratedToken[] };
}
