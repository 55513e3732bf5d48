/**
 * Request bodies, checked the way Ollama's Go server decodes them: a field of the wrong JSON type
 * is a 400 with Go's `json: cannot unmarshal ...` wording; `null` means "absent"; unknown fields are
 * ignored. Values are returned typed; semantic checks (model exists, raw + template, ...) are the
 * handlers' job.
 */
import { HttpError, OllamaMessages } from './http-error.ts';

export type ThinkValue = boolean | 'high' | 'medium' | 'low' | 'max';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface CommonRequest {
  model: string;
  stream?: boolean;
  options?: Record<string, unknown>;
  think?: ThinkValue;
  truncate?: boolean;
  logprobs: boolean;
  topLogprobs: number;
  /** keep_alive of 0 (`0`, `"0"`, `"0s"`, ...): unload the model. */
  unload: boolean;
}

export interface GenerateRequest extends CommonRequest {
  prompt: string;
  system: string;
  template: string;
  suffix: string;
  raw: boolean;
  context?: number[];
}

export interface ChatRequest extends CommonRequest {
  messages: ChatMessage[];
}

export interface ShowRequest {
  model: string;
}

type Kind = 'string' | 'bool' | 'int' | 'intArray' | 'stringArray' | 'object' | 'array' | 'any' | 'think' | 'keepAlive' | 'messages';

const goType: Record<Kind, string> = {
  string: 'string',
  bool: 'bool',
  int: 'int',
  intArray: '[]int',
  stringArray: '[]string',
  object: 'map[string]interface {}',
  array: '[]interface {}',
  any: 'interface {}',
  think: 'api.ThinkValue',
  keepAlive: 'api.Duration',
  messages: '[]api.Message',
};

function jsonKind(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

function mismatch(struct: string, field: string, kind: Kind, value: unknown): HttpError {
  const shown = typeof value === 'number' ? `number ${String(value)}` : jsonKind(value);
  return new HttpError(400, `json: cannot unmarshal ${shown} into Go struct field ${struct}.${field} of type ${goType[kind]}`);
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER;
}

function checkField(struct: string, field: string, kind: Kind, value: unknown): unknown {
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') throw mismatch(struct, field, kind, value);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw mismatch(struct, field, kind, value);
      return value;
    case 'int':
      if (!isInt(value)) throw mismatch(struct, field, kind, value);
      return value;
    case 'intArray':
      if (!Array.isArray(value)) throw mismatch(struct, field, kind, value);
      for (const item of value) if (!isInt(item)) throw mismatch(struct, field, 'int', item);
      return value;
    case 'stringArray':
      if (!Array.isArray(value)) throw mismatch(struct, field, kind, value);
      for (const item of value) if (typeof item !== 'string') throw mismatch(struct, field, 'string', item);
      return value;
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw mismatch(struct, field, kind, value);
      return value;
    case 'array':
      if (!Array.isArray(value)) throw mismatch(struct, field, kind, value);
      return value;
    case 'any':
      return value;
    case 'think':
      if (typeof value === 'boolean') return value;
      if (value === 'high' || value === 'medium' || value === 'low' || value === 'max') return value;
      throw new HttpError(400, `invalid think value: ${JSON.stringify(value)} (must be "high", "medium", "low", true, or false)`);
    case 'keepAlive':
      if (typeof value !== 'string' && typeof value !== 'number') throw mismatch(struct, field, kind, value);
      return value;
    case 'messages': {
      if (!Array.isArray(value)) throw mismatch(struct, field, kind, value);
      return value.map((item): ChatMessage => {
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
          throw new HttpError(400, `json: cannot unmarshal ${jsonKind(item)} into Go struct field ${struct}.${field} of type api.Message`);
        }
        const message = decodeStruct('Message', item as Record<string, unknown>, messageFields);
        return { role: (message['role'] as string | undefined) ?? '', content: (message['content'] as string | undefined) ?? '' };
      });
    }
  }
}

const messageFields: Record<string, Kind> = {
  role: 'string',
  content: 'string',
  thinking: 'string',
  images: 'stringArray',
  tool_calls: 'array',
  tool_name: 'string',
};

const commonFields: Record<string, Kind> = {
  model: 'string',
  stream: 'bool',
  format: 'any',
  keep_alive: 'keepAlive',
  options: 'object',
  think: 'think',
  truncate: 'bool',
  shift: 'bool',
  logprobs: 'bool',
  top_logprobs: 'int',
};

const generateFields: Record<string, Kind> = {
  ...commonFields,
  prompt: 'string',
  suffix: 'string',
  system: 'string',
  template: 'string',
  context: 'intArray',
  raw: 'bool',
  images: 'stringArray',
};

const chatFields: Record<string, Kind> = { ...commonFields, messages: 'messages', tools: 'array' };

function decodeStruct(struct: string, body: Record<string, unknown>, fields: Record<string, Kind>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, kind] of Object.entries(fields)) {
    if (!Object.hasOwn(body, field)) continue;
    const value = body[field];
    if (value === null || value === undefined) continue; // Go leaves the zero value
    out[field] = checkField(struct, field, kind, value);
  }
  return out;
}

/** Parses a request body as Ollama does before any handler logic: empty -> "missing request body". */
export function parseBody(raw: string, struct: string): Record<string, unknown> {
  if (raw.trim() === '') throw new HttpError(400, OllamaMessages.missingBody);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new HttpError(400, `invalid JSON in request body: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    if (value === null) return {};
    throw new HttpError(400, `json: cannot unmarshal ${jsonKind(value)} into Go value of type api.${struct}`);
  }
  return value as Record<string, unknown>;
}

function isZeroDuration(value: unknown): boolean {
  if (typeof value === 'number') return value === 0;
  return typeof value === 'string' && /^0+(\.0*)?(ns|us|µs|ms|s|m|h)?$/u.test(value.trim());
}

function common(fields: Record<string, unknown>): CommonRequest {
  const topLogprobs = (fields['top_logprobs'] as number | undefined) ?? 0;
  if (topLogprobs < 0 || topLogprobs > 20) throw new HttpError(400, OllamaMessages.topLogprobs);
  const request: CommonRequest = {
    model: (fields['model'] as string | undefined) ?? '',
    logprobs: (fields['logprobs'] as boolean | undefined) ?? false,
    topLogprobs,
    unload: isZeroDuration(fields['keep_alive']),
  };
  if (fields['stream'] !== undefined) request.stream = fields['stream'] as boolean;
  if (fields['options'] !== undefined) request.options = fields['options'] as Record<string, unknown>;
  if (fields['think'] !== undefined) request.think = fields['think'] as ThinkValue;
  if (fields['truncate'] !== undefined) request.truncate = fields['truncate'] as boolean;
  return request;
}

export function parseGenerateRequest(raw: string): GenerateRequest {
  const fields = decodeStruct('GenerateRequest', parseBody(raw, 'GenerateRequest'), generateFields);
  const request: GenerateRequest = {
    ...common(fields),
    prompt: (fields['prompt'] as string | undefined) ?? '',
    system: (fields['system'] as string | undefined) ?? '',
    template: (fields['template'] as string | undefined) ?? '',
    suffix: (fields['suffix'] as string | undefined) ?? '',
    raw: (fields['raw'] as boolean | undefined) ?? false,
  };
  if (fields['context'] !== undefined) request.context = fields['context'] as number[];
  return request;
}

export function parseChatRequest(raw: string): ChatRequest {
  const fields = decodeStruct('ChatRequest', parseBody(raw, 'ChatRequest'), chatFields);
  return { ...common(fields), messages: (fields['messages'] as ChatMessage[] | undefined) ?? [] };
}

export function parseShowRequest(raw: string): ShowRequest {
  const fields = decodeStruct('ShowRequest', parseBody(raw, 'ShowRequest'), { model: 'string', name: 'string', verbose: 'bool', system: 'string' });
  const model = (fields['model'] as string | undefined) || (fields['name'] as string | undefined) || '';
  if (model === '') throw new HttpError(400, OllamaMessages.modelRequired);
  return { model };
}
