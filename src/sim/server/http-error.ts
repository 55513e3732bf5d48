/**
 * An error the server answers with `status` and `{"error": message}`, as Ollama does.
 * Anything else thrown inside a handler is a simulator bug and is answered with a generic 500
 * (never a stack trace).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Ollama's own wording for the errors the simulator reproduces. */
export const OllamaMessages = {
  missingBody: 'missing request body',
  topLogprobs: 'top_logprobs must be between 0 and 20',
  rawMode: 'raw mode does not support template, system, or context',
  modelRequired: 'model is required',
  notFound: (model: string): string => `model '${model}' not found`,
  inputTooLong: 'the input length exceeds the context length',
  /** ErrMaxQueue in Ollama's scheduler (two spaces are Ollama's). */
  busy: 'server busy, please try again.  maximum pending requests exceeded',
  runnerCrashed:
    'model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details',
} as const;
