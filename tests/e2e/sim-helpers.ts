/** Shared helpers for the simulator's end-to-end tests (real server, real HTTP). */
import { generateProblem } from '../../src/problems/families/index.ts';
import { startSimServer, type SimServer, type SimServerOptions } from '../../src/sim/server/index.ts';

export const model = 'sim-fast';

/** The QwQ ChatML prompt with the RaML instruction, ending inside the thinking, as the harness renders it. */
export function qwqPrompt(question: string): string {
  return `<|im_start|>user\n${question}\n\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>assistant\n<think>\n`;
}

export function problemPrompt(seed: number, difficulty = 2): string {
  const family = (['arithmetic-chain', 'linear-equation', 'word-problem'] as const)[seed % 3] ?? 'arithmetic-chain';
  return qwqPrompt(generateProblem(family, seed, difficulty).question);
}

export async function startServer(options: SimServerOptions = {}): Promise<SimServer> {
  return startSimServer({ port: 0, host: '127.0.0.1', ...options });
}

export interface RawReply {
  status: number;
  contentType: string;
  text: string;
}

export async function post(url: string, path: string, body: unknown): Promise<RawReply> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

export async function get(url: string, path: string): Promise<RawReply> {
  const response = await fetch(`${url}${path}`);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** NDJSON lines of a reply, parsed. */
export function lines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface Entry {
  token: string;
  logprob: number;
  bytes?: number[];
  top_logprobs?: { token: string; logprob: number }[];
}

/** A raw streamed generation: text, logprob entries and the final chunk. */
export async function rawGenerate(
  url: string,
  prompt: string,
  options: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<{ status: number; text: string; entries: Entry[]; final: Record<string, unknown>; raw: string; chunks: Record<string, unknown>[] }> {
  const reply = await post(url, '/api/generate', { model, prompt, raw: true, think: false, stream: true, logprobs: true, options, ...extra });
  const chunks = reply.status === 200 ? lines(reply.text) : [];
  let text = '';
  const entries: Entry[] = [];
  for (const chunk of chunks) {
    text += (chunk['response'] as string | undefined) ?? '';
    entries.push(...(((chunk['logprobs'] as Entry[] | undefined) ?? []) as Entry[]));
  }
  return { status: reply.status, text, entries, final: chunks[chunks.length - 1] ?? {}, raw: reply.text, chunks };
}

/** Replaces timestamps and durations, which legitimately differ between identical requests. */
export function withoutTimes(raw: string): string {
  return raw
    .replace(/"created_at":"[^"]*"/g, '"created_at":"T"')
    .replace(/"(total_duration|load_duration|prompt_eval_duration|eval_duration)":\d+/g, '"$1":0');
}

export async function stats(url: string): Promise<Record<string, number>> {
  return JSON.parse((await get(url, '/sim/stats')).text) as Record<string, number>;
}
