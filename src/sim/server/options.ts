/**
 * The `options` map of a request, decoded with the rules of Ollama's `Options.FromMap`: known keys
 * must have the right JSON type (an integer option accepts any number and truncates it, as Go's
 * int64(float64) does), unknown keys are ignored, and request values override the model's own
 * parameters (so a request `stop` replaces the template's stop strings).
 *
 * Deviation: Ollama answers a mistyped option with HTTP 500 (the error surfaces from its scheduler);
 * the simulator answers 400, since it is the client's mistake.
 */
import { HttpError } from './http-error.ts';

export interface GenerationOptions {
  /** <= 0: no limit other than the context. */
  numPredict: number;
  stop: string[];
  /** -1 (Ollama's default) = a fresh random seed per request. */
  seed: number;
  temperature: number;
  topK: number;
  topP: number;
  numCtx: number;
}

/** Ollama's defaults (api.DefaultOptions) with the default context of a small-GPU server. */
export const ollamaDefaults = {
  numPredict: -1,
  seed: -1,
  temperature: 0.8,
  topK: 40,
  topP: 0.9,
  numCtx: 4096,
} as const;

type OptionKind = 'int' | 'float' | 'bool' | 'string' | 'stringArray';

/** Every option Ollama knows; only the first block changes what the simulator does. */
const known: Record<string, OptionKind> = {
  num_predict: 'int',
  stop: 'stringArray',
  seed: 'int',
  temperature: 'float',
  top_k: 'int',
  top_p: 'float',
  num_ctx: 'int',
  // accepted and type-checked, without effect in the simulator
  num_keep: 'int',
  min_p: 'float',
  typical_p: 'float',
  repeat_last_n: 'int',
  repeat_penalty: 'float',
  presence_penalty: 'float',
  frequency_penalty: 'float',
  num_batch: 'int',
  num_gpu: 'int',
  main_gpu: 'int',
  num_thread: 'int',
  use_mmap: 'bool',
  numa: 'bool',
  low_vram: 'bool',
  f16_kv: 'bool',
  vocab_only: 'bool',
  use_mlock: 'bool',
  penalize_newline: 'bool',
  tfs_z: 'float',
  mirostat: 'int',
  mirostat_tau: 'float',
  mirostat_eta: 'float',
};

function checkOption(key: string, kind: OptionKind, value: unknown): number | boolean | string | string[] {
  switch (kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new HttpError(400, `option "${key}" must be of type integer`);
      return Math.trunc(value);
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new HttpError(400, `option "${key}" must be of type float32`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new HttpError(400, `option "${key}" must be of type boolean`);
      return value;
    case 'string':
      if (typeof value !== 'string') throw new HttpError(400, `option "${key}" must be of type string`);
      return value;
    case 'stringArray':
      if (!Array.isArray(value)) throw new HttpError(400, `option "${key}" must be of type array`);
      for (const item of value) if (typeof item !== 'string') throw new HttpError(400, `option "${key}" must be of an array of strings`);
      return value as string[];
  }
}

/**
 * Resolves the effective options: Ollama defaults, then the model's parameters (`modelStop`),
 * then the request. `maxContext` is the model's trained context length: a larger num_ctx is capped
 * to it, as Ollama does.
 */
export function resolveOptions(requestOptions: Record<string, unknown> | undefined, modelStop: readonly string[], maxContext: number): GenerationOptions {
  const options: GenerationOptions = { ...ollamaDefaults, stop: [...modelStop] };
  for (const [key, value] of Object.entries(requestOptions ?? {})) {
    const kind = known[key];
    if (kind === undefined || value === null || value === undefined) continue;
    const checked = checkOption(key, kind, value);
    switch (key) {
      case 'num_predict':
        options.numPredict = checked as number;
        break;
      case 'stop':
        options.stop = checked as string[];
        break;
      case 'seed':
        options.seed = checked as number;
        break;
      case 'temperature':
        options.temperature = Math.max(0, checked as number);
        break;
      case 'top_k':
        options.topK = Math.max(0, checked as number);
        break;
      case 'top_p': {
        const topP = checked as number;
        options.topP = topP <= 0 || topP > 1 ? 1 : topP;
        break;
      }
      case 'num_ctx': {
        const numCtx = checked as number;
        if (numCtx > 0) options.numCtx = numCtx;
        break;
      }
      default:
        break;
    }
  }
  options.numCtx = Math.min(options.numCtx, maxContext);
  // An empty stop string would match everywhere; llama.cpp ignores it, so does the simulator.
  options.stop = options.stop.filter((s) => s.length > 0);
  return options;
}

/** The seed a generation actually uses: Ollama draws a fresh one when none (or -1) is given. */
export function effectiveSeed(seed: number, random: () => number = Math.random): number {
  return seed === -1 ? Math.floor(random() * 2 ** 31) : seed;
}
