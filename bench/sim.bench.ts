/**
 * bench:sim — tokens per second the simulator serves over HTTP (streaming NDJSON, latency
 * emulation off), with several concurrent clients generating traces for raw prompts of generated
 * problems, in one process (server and clients share the core). Also measures the model alone
 * (no HTTP) to show where the time goes. Last line: one JSON object.
 */
import { generateProblem, families } from '../src/problems/families/index.ts';
import { startSimServer, loadServedModel } from '../src/sim/server/index.ts';

const clients = 4;
const secondsPerConfig = Number(process.env['BENCH_SECONDS'] ?? 4);

function prompt(seed: number): string {
  const family = families[seed % families.length] ?? 'arithmetic-chain';
  const question = generateProblem(family, seed, 1 + (seed % 5)).question;
  return `<|im_start|>user\n${question}\n\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>assistant\n<think>\n`;
}

interface Figures {
  tokens: number;
  requests: number;
  seconds: number;
  firstChunkMs: number[];
}

async function streamOne(url: string, seed: number, logprobs: boolean): Promise<{ tokens: number; firstChunkMs: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/api/generate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: 'sim-qwq',
      prompt: prompt(seed),
      raw: true,
      think: false,
      stream: true,
      logprobs,
      top_logprobs: logprobs ? 5 : 0,
      options: { seed, temperature: 0.6, top_p: 0.95, top_k: 40, num_predict: 3000, num_ctx: 8192 },
    }),
  });
  if (!response.body) throw new Error('no body');
  const decoder = new TextDecoder();
  let buffer = '';
  let firstChunkMs = -1;
  let tokens = 0;
  for await (const bytes of response.body) {
    if (firstChunkMs < 0) firstChunkMs = performance.now() - started;
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const chunk = JSON.parse(buffer.slice(0, newline)) as { done: boolean; eval_count?: number; error?: string };
      if (chunk.error) throw new Error(chunk.error);
      if (chunk.done) tokens = chunk.eval_count ?? 0;
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
  }
  return { tokens, firstChunkMs };
}

async function measure(url: string, logprobs: boolean): Promise<Figures> {
  const figures: Figures = { tokens: 0, requests: 0, seconds: 0, firstChunkMs: [] };
  const deadline = performance.now() + secondsPerConfig * 1000;
  const started = performance.now();
  let seed = logprobs ? 10_000 : 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const result = await streamOne(url, seed++, logprobs);
        figures.tokens += result.tokens;
        figures.requests++;
        figures.firstChunkMs.push(result.firstChunkMs);
      }
    }),
  );
  figures.seconds = (performance.now() - started) / 1000;
  return figures;
}

async function modelOnly(): Promise<{ tokensPerS: number; tokenizePerS: number }> {
  const model = await loadServedModel('sim-qwq');
  let tokens = 0;
  let seed = 50_000;
  const started = performance.now();
  while (performance.now() - started < secondsPerConfig * 500) {
    const generation = model.start(prompt(seed), { seed: seed++, temperature: 0.6, topK: 40, topP: 0.95 });
    for (let i = 0; i < 3000 && generation.next() !== null; i++) tokens++;
  }
  const tokensPerS = tokens / ((performance.now() - started) / 1000);
  const text = prompt(1).repeat(50);
  const tokenizeStart = performance.now();
  let tokenized = 0;
  for (let i = 0; i < 20; i++) tokenized += model.tokenize(text).length;
  return { tokensPerS, tokenizePerS: tokenized / ((performance.now() - tokenizeStart) / 1000) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const server = await startSimServer({ port: 0, parallel: clients });
// Warm up (JIT, lazy model construction).
await streamOne(server.url, 999_999, true);
const plain = await measure(server.url, false);
const withLogprobs = await measure(server.url, true);
await server.close();
const alone = await modelOnly();

const rate = (f: Figures): number => Math.round(f.tokens / f.seconds);
console.log(`clients: ${clients}, ${secondsPerConfig}s per configuration, one process (server + clients)`);
console.log(`streaming, no logprobs:     ${rate(plain)} tokens/s over ${plain.requests} requests (${Math.round(plain.tokens / plain.requests)} tokens each), median first chunk ${median(plain.firstChunkMs).toFixed(1)} ms`);
console.log(`streaming, top_logprobs=5:  ${rate(withLogprobs)} tokens/s over ${withLogprobs.requests} requests, median first chunk ${median(withLogprobs.firstChunkMs).toFixed(1)} ms`);
console.log(`model alone (no HTTP):      ${Math.round(alone.tokensPerS)} tokens/s; tokenizer ${Math.round(alone.tokenizePerS)} tokens/s`);
console.log(
  JSON.stringify({
    sim_tokens_per_s: rate(plain),
    sim_tokens_per_s_logprobs: rate(withLogprobs),
    model_only_tokens_per_s: Math.round(alone.tokensPerS),
    tokenizer_tokens_per_s: Math.round(alone.tokenizePerS),
    requests: plain.requests + withLogprobs.requests,
    clients,
  }),
);
