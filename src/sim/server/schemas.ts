/**
 * The project's own JSON Schemas (draft-07, for ajv) for every response the simulator sends.
 * Stricter than Ollama's published OpenAPI file: closed objects (no unknown fields), integer
 * durations and counts that are present only when non-zero (Go's omitempty), and `done_reason`
 * present exactly on final chunks. Independent of ../shared/reference.
 */

type Schema = Record<string, unknown>;

const positiveInt: Schema = { type: 'integer', minimum: 1 };

const tokenLogprob: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'logprob'],
  properties: {
    token: { type: 'string' },
    logprob: { type: 'number', maximum: 0 },
    bytes: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 } },
  },
};

export const logprobSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'logprob'],
  properties: {
    token: { type: 'string' },
    logprob: { type: 'number', maximum: 0 },
    bytes: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 } },
    top_logprobs: { type: 'array', maxItems: 20, items: tokenLogprob },
  },
};

const metrics: Record<string, Schema> = {
  total_duration: positiveInt,
  load_duration: positiveInt,
  prompt_eval_count: positiveInt,
  prompt_eval_duration: positiveInt,
  eval_count: positiveInt,
  eval_duration: positiveInt,
};

const timestamp: Schema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' };

/** Final chunks carry done_reason; other chunks carry no metrics. */
const finalRule: Schema = {
  if: { properties: { done: { const: true } } },
  then: { required: ['done_reason'] },
  else: {
    not: {
      anyOf: [
        { required: ['done_reason'] },
        { required: ['total_duration'] },
        { required: ['eval_count'] },
        { required: ['prompt_eval_count'] },
        { required: ['context'] },
      ],
    },
  },
};

export const generateResponseSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'created_at', 'response', 'done'],
  properties: {
    model: { type: 'string', minLength: 1 },
    created_at: timestamp,
    response: { type: 'string' },
    thinking: { type: 'string', minLength: 1 },
    done: { type: 'boolean' },
    done_reason: { enum: ['stop', 'length', 'load', 'unload'] },
    context: { type: 'array', items: { type: 'integer', minimum: 0 } },
    ...metrics,
    logprobs: { type: 'array', minItems: 1, items: logprobSchema },
  },
  ...finalRule,
};

export const chatResponseSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'created_at', 'message', 'done'],
  properties: {
    model: { type: 'string', minLength: 1 },
    created_at: timestamp,
    message: {
      type: 'object',
      additionalProperties: false,
      required: ['role', 'content'],
      properties: { role: { const: 'assistant' }, content: { type: 'string' }, thinking: { type: 'string', minLength: 1 } },
    },
    done: { type: 'boolean' },
    done_reason: { enum: ['stop', 'length', 'load', 'unload'] },
    ...metrics,
    logprobs: { type: 'array', minItems: 1, items: logprobSchema },
  },
  ...finalRule,
};

export const errorResponseSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['error'],
  properties: { error: { type: 'string', minLength: 1 } },
};

export const versionResponseSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: { version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+' } },
};

const details: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['parent_model', 'format', 'family', 'families', 'parameter_size', 'quantization_level'],
  properties: {
    parent_model: { type: 'string' },
    format: { type: 'string' },
    family: { type: 'string', minLength: 1 },
    families: { type: 'array', items: { type: 'string' } },
    parameter_size: { type: 'string' },
    quantization_level: { type: 'string' },
  },
};

const digest: Schema = { type: 'string', pattern: '^[0-9a-f]{64}$' };

export const tagsResponseSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['models'],
  properties: {
    models: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'model', 'modified_at', 'size', 'digest', 'details'],
        properties: {
          name: { type: 'string', pattern: ':' },
          model: { type: 'string', pattern: ':' },
          modified_at: timestamp,
          size: { type: 'integer', minimum: 0 },
          digest,
          details,
        },
      },
    },
  },
};

export const psResponseSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['models'],
  properties: {
    models: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'model', 'size', 'digest', 'details', 'expires_at', 'size_vram', 'context_length'],
        properties: {
          name: { type: 'string' },
          model: { type: 'string' },
          size: { type: 'integer', minimum: 0 },
          digest,
          details,
          expires_at: timestamp,
          size_vram: { type: 'integer', minimum: 0 },
          context_length: positiveInt,
        },
      },
    },
  },
};

export const showResponseSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['parameters', 'template', 'details', 'model_info', 'capabilities', 'modified_at'],
  properties: {
    license: { type: 'string' },
    modelfile: { type: 'string' },
    parameters: { type: 'string' },
    template: { type: 'string', minLength: 1 },
    details,
    model_info: {
      type: 'object',
      required: ['general.architecture'],
      properties: { 'general.architecture': { type: 'string', minLength: 1 } },
      patternProperties: { '\\.context_length$': positiveInt },
    },
    capabilities: { type: 'array', items: { type: 'string' }, contains: { const: 'completion' } },
    modified_at: timestamp,
  },
};

export const statsResponseSchema: Schema = {
  type: 'object',
  required: ['requests', 'prefill_new_tokens', 'prefill_cached_tokens', 'decoded_tokens', 'active', 'queued', 'faults', 'slots'],
  properties: {
    requests: { type: 'integer', minimum: 0 },
    prefill_new_tokens: { type: 'integer', minimum: 0 },
    prefill_cached_tokens: { type: 'integer', minimum: 0 },
    decoded_tokens: { type: 'integer', minimum: 0 },
    active: { type: 'integer', minimum: 0 },
    queued: { type: 'integer', minimum: 0 },
    faults: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
    slots: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'busy', 'cached_tokens'],
        properties: { id: { type: 'integer' }, busy: { type: 'boolean' }, cached_tokens: { type: 'integer', minimum: 0 } },
      },
    },
  },
};
