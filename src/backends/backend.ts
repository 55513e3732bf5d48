/**
 * What the engine needs from a model server. One file per backend implements it
 * (ollama.ts first; openai-compatible and others later). Everything here is raw completion:
 * the harness renders the chat template itself, so interventions can reach inside the thinking.
 */

export interface TokenChoice {
  /** Token text exactly as the server returned it. */
  text: string;
  /** Natural-log probability as the server reported it. */
  logprob: number;
}

export interface CompletionToken extends TokenChoice {
  /** Alternatives at this position, most likely first (empty when top_logprobs was 0). */
  top: TokenChoice[];
}

export interface SamplingSettings {
  temperature: number;
  topP: number;
  topK: number;
}

export interface CompletionRequest {
  /** The whole raw prompt, template already rendered, possibly ending inside the assistant turn. */
  prompt: string;
  /** num_predict: at most this many tokens are generated. */
  maxTokens: number;
  /** Stop strings; a matched stop string is not part of the returned text. */
  stop: string[];
  seed: number;
  sampling: SamplingSettings;
  /** 0..20 alternatives per generated token. */
  topLogprobs: number;
}

export interface Completion {
  /** The generated text (stop string removed). Equals the concatenation of `tokens[].text`. */
  text: string;
  /** One entry per generated token that is part of `text`. */
  tokens: CompletionToken[];
  /** 'stop': the model ended or a stop string matched; 'length': maxTokens reached. */
  doneReason: 'stop' | 'length';
  /** Server's count of prompt tokens (Ollama counts the whole prompt, cached part included). */
  promptTokens: number;
  /** Server's count of generated tokens. */
  decodedTokens: number;
  /** Server-side durations when reported, in milliseconds. */
  promptEvalMs?: number;
  evalMs?: number;
  /** Client-side wall time of the request, retries included, in milliseconds. */
  wallMs: number;
}

export interface ModelInfo {
  /** Model name as the user gave it, e.g. "qwq" or "sim-qwq". */
  name: string;
  /** Content digest when the server reports one; part of every cache key. */
  digest: string;
  /** Server product and version, recorded with every run, e.g. "ollama 0.12.11". */
  serverVersion: string;
  /** Template family (e.g. "qwen2") and raw template text, used to pick a thinkprobe template. */
  family: string;
  templateText: string;
  /** Context length the model supports (model_info), and the num_ctx the run uses. */
  contextLength: number;
}

/** A text scored under teacher forcing in one request (servers with echo + logprobs or prompt_logprobs). */
export interface TextScore {
  /** The continuation's tokens as the server tokenized context + continuation, with their exact logprobs. */
  tokens: TokenChoice[];
  /** False when a token straddles the end of the context (the continuation's first token merged with it). */
  aligned: boolean;
}

export interface Backend {
  /** e.g. "ollama http://127.0.0.1:11434". */
  readonly label: string;
  /** Preflight: version, model presence, template and context; throws BackendUnreachableError or InputError with one clear line. */
  describe(model: string): Promise<ModelInfo>;
  /** One raw completion. Retries transient failures itself; throws on permanent ones. */
  complete(model: string, request: CompletionRequest, signal?: AbortSignal): Promise<Completion>;
  /**
   * Optional (OpenAI-compatible servers): the exact logprob of `continuation` after `context`, in
   * one request; undefined when the server cannot score a given text (then score token by token).
   */
  scoreText?(model: string, request: { context: string; continuation: string }, signal?: AbortSignal): Promise<TextScore | undefined>;
}
