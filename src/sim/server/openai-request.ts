/**
 * `POST /v1/completions` bodies, checked the way vLLM's OpenAI-compatible server checks them
 * (pydantic: a field of the wrong type is a 400 naming the field; `null` means "absent"; unknown
 * fields are ignored). Only a raw prompt string is accepted: the harness renders templates itself.
 */
import { HttpError } from './http-error.ts';

/** vLLM's `--max-logprobs` default. */
export const MAX_LOGPROBS = 20;

export interface CompletionsRequest {
  model: string;
  prompt: string;
  /** null: up to the context limit (vLLM's behaviour when max_tokens is null). */
  maxTokens: number | null;
  stop: string[];
  /** null: a fresh random seed per request. */
  seed: number | null;
  temperature: number;
  topP: number;
  /** 0 = off (vLLM also accepts -1). */
  topK: number;
  /** Alternatives per generated token, or null for no logprobs. */
  logprobs: number | null;
  /** Alternatives per prompt token (vLLM's extension), or null. */
  promptLogprobs: number | null;
  echo: boolean;
  stream: boolean;
  includeUsage: boolean;
}

export interface TokenizeRequest {
  model: string | undefined;
  text: string;
}

type Body = Record<string, unknown>;

function invalid(field: string, expected: string): HttpError {
  return new HttpError(400, `${field}: ${expected}`);
}

export function parseJsonObject(body: string): Body {
  if (body.trim() === '') throw new HttpError(400, 'missing request body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'request body must be a JSON object');
  return parsed as Body;
}

function optionalNumber(body: Body, field: string, integer: boolean): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw invalid(field, integer ? 'Input should be a valid integer' : 'Input should be a valid number');
  }
  return value;
}

function optionalBool(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(field, 'Input should be a valid boolean');
  return value;
}

function stopList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return (value as string[]).filter((s) => s !== '');
  throw invalid('stop', 'Input should be a string or a list of strings');
}

function logprobCount(body: Body, field: string): number | null {
  const value = optionalNumber(body, field, true);
  if (value === undefined) return null;
  if (value < 0) throw invalid(field, 'must be a non-negative integer');
  if (value > MAX_LOGPROBS) throw new HttpError(400, `Requested ${field === 'logprobs' ? 'sample' : 'prompt'} logprobs of ${value}, which is greater than max allowed: ${MAX_LOGPROBS}`);
  return value;
}

export function parseCompletionsRequest(text: string): CompletionsRequest {
  const body = parseJsonObject(text);
  if (typeof body['model'] !== 'string' || body['model'] === '') throw invalid('model', 'Field required (a model id from GET /v1/models)');
  if (typeof body['prompt'] !== 'string') throw invalid('prompt', 'the simulator accepts a raw prompt string only');
  const maxTokens = optionalNumber(body, 'max_tokens', true);
  if (maxTokens !== undefined && maxTokens < 1) throw invalid('max_tokens', 'must be at least 1');
  const temperature = optionalNumber(body, 'temperature', false) ?? 1;
  if (temperature < 0) throw invalid('temperature', 'must be non-negative');
  const topP = optionalNumber(body, 'top_p', false) ?? 1;
  if (!(topP > 0 && topP <= 1)) throw invalid('top_p', 'must be in (0, 1]');
  const topK = optionalNumber(body, 'top_k', true) ?? 0;
  if (topK < -1) throw invalid('top_k', 'must be -1 (disable), or at least 1');
  const options = body['stream_options'];
  const includeUsage = typeof options === 'object' && options !== null && (options as Body)['include_usage'] === true;
  return {
    model: body['model'],
    prompt: body['prompt'],
    maxTokens: maxTokens ?? 16, // OpenAI's and vLLM's default for completions
    stop: stopList(body['stop']),
    seed: optionalNumber(body, 'seed', true) ?? null,
    temperature,
    topP,
    topK: topK <= 0 ? 0 : topK,
    logprobs: logprobCount(body, 'logprobs'),
    promptLogprobs: logprobCount(body, 'prompt_logprobs'),
    echo: optionalBool(body, 'echo') ?? false,
    stream: optionalBool(body, 'stream') ?? false,
    includeUsage,
  };
}

/** vLLM's `{model, prompt}` and llama.cpp's `{content}` are both accepted. */
export function parseTokenizeRequest(text: string): TokenizeRequest {
  const body = parseJsonObject(text);
  const value = body['prompt'] ?? body['content'];
  if (typeof value !== 'string') throw invalid('prompt', 'expected the text to tokenize (vLLM: prompt, llama.cpp: content)');
  const model = typeof body['model'] === 'string' && body['model'] !== '' ? body['model'] : undefined;
  return { model, text: value };
}

export function parseDetokenizeRequest(text: string): { model: string | undefined; tokens: number[] } {
  const body = parseJsonObject(text);
  const tokens = body['tokens'];
  if (!Array.isArray(tokens) || !tokens.every((t) => Number.isInteger(t) && (t as number) >= 0)) throw invalid('tokens', 'expected a list of token ids');
  const model = typeof body['model'] === 'string' && body['model'] !== '' ? body['model'] : undefined;
  return { model, tokens: tokens as number[] };
}
