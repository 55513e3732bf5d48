import { InputError } from '../core/errors.ts';

/**
 * Bounds on one streamed reply, so that no server (broken, hostile or just too slow) can make a
 * request take unbounded time or memory. Each has a default a real Ollama never comes near and can
 * be overridden by an environment variable (tests set them small) or a backend option.
 */
export interface ReplyLimits {
  /** No data line for this long: the request fails and is retried (a stall). */
  idleTimeoutMs: number;
  /** Allowance before the rate applies: model load and prompt evaluation of a long prompt. */
  deadlineGraceMs: number;
  /** The slowest generation accepted: the deadline is grace + maxTokens / rate. */
  minTokensPerSecond: number;
  /** A longer NDJSON line is refused as soon as it passes this many bytes (linear time). */
  maxLineBytes: number;
}

export const DEFAULT_REPLY_LIMITS: ReplyLimits = {
  idleTimeoutMs: 300_000,
  deadlineGraceMs: 300_000,
  minTokensPerSecond: 1,
  maxLineBytes: 1 << 20,
};

/** Environment variable per limit (documented in README.md of this folder). */
export const REPLY_LIMIT_ENV: Record<keyof ReplyLimits, string> = {
  idleTimeoutMs: 'THINKPROBE_IDLE_TIMEOUT_MS',
  deadlineGraceMs: 'THINKPROBE_DEADLINE_GRACE_MS',
  minTokensPerSecond: 'THINKPROBE_MIN_TOKENS_PER_S',
  maxLineBytes: 'THINKPROBE_MAX_LINE_BYTES',
};

/**
 * Ollama sends one line per generated token, plus the final `done` line (which may itself carry
 * text and logprobs). The margin lets a server that counts a token or two differently finish,
 * while a server that ignores num_predict is stopped almost at once.
 */
export function tokenLimit(maxTokens: number): number {
  return maxTokens + Math.max(8, Math.ceil(maxTokens * 0.01));
}

/** Total time one attempt may take, whatever the server's pace. */
export function deadlineMs(limits: ReplyLimits, maxTokens: number): number {
  return limits.deadlineGraceMs + Math.ceil((maxTokens / limits.minTokensPerSecond) * 1000);
}

/** Reads the overrides from the environment; a malformed value is one clear line, never ignored. */
export function replyLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): ReplyLimits {
  const limits = { ...DEFAULT_REPLY_LIMITS };
  for (const key of Object.keys(REPLY_LIMIT_ENV) as (keyof ReplyLimits)[]) {
    const name = REPLY_LIMIT_ENV[key];
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new InputError(`${name}=${JSON.stringify(raw)}`, 'expected a positive number');
    limits[key] = key === 'minTokensPerSecond' ? value : Math.ceil(value);
  }
  return limits;
}
