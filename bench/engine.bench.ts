/**
 * `npm run bench`: the engine's standard study on the simulator (4 KV-cache slots).
 *
 * 40 generated problems x [baseline, noThinking, budget 256/512/1024/2048/4096, extend Wait x1
 * and x2, probes every 256 tokens on the baseline], measured three ways in server work
 * (new-prefill + decoded tokens, from the simulator's /sim/stats):
 *   (a) thinkprobe's trace trees (runPlan),
 *   (b) the naive plan other harnesses use: every intervention and every probe an independent
 *       request from scratch (budget N regenerates N thinking tokens, a probe at k regenerates k),
 *   (c) the theoretical minimum: every token that must be decoded, plus each branch's own new text.
 * Wall time of (a) with latency emulation on (prefill 0.02 ms, decode 2 ms per token; see DECODE_MS)
 * is compared with the ideal schedule: total token-time / slots, or the longest tree's own
 * token-time if that is longer. BENCH_PROBLEMS, BENCH_MODEL, BENCH_DECODE_MS, BENCH_PREFILL_MS
 * override the defaults.
 * The simulator runs in its own process (`thinkprobe sim`), as a model server would.
 * Prints figures; the last line is one JSON object.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OllamaBackend } from '../src/backends/ollama.ts';
import type { Backend, Completion, CompletionRequest } from '../src/backends/backend.ts';
import type { Result } from '../src/core/model.ts';
import { RAML_SAMPLING, readBoxed, runPlan } from '../src/engine/index.ts';
import { interventionFromSpec, NO_THINKING_PREFILL, PROBE_SUFFIXES, S1_CLOSE } from '../src/interventions/index.ts';
import { sampleSeed } from '../src/plan/plan.ts';
import { families, generateProblem } from '../src/problems/families/index.ts';
import type { Problem } from '../src/problems/problem.ts';
import { openStore } from '../src/store/sqlite-store.ts';
import { chatmlQwq } from '../src/templates/index.ts';
import { startSimChild } from './sim-child.ts';

const SLOTS = 4;
const PROBLEMS = Number(process.env.BENCH_PROBLEMS ?? 40);
const MODEL = process.env.BENCH_MODEL ?? 'sim-qwq';
const PREFILL_MS = Number(process.env.BENCH_PREFILL_MS ?? 0.02);
// 2 ms/token (still ~15x faster than QwQ-32B on one GPU): at 0.5 ms/token the simulator process,
// which spends ~0.15 ms of CPU per generated token plus a few ms per request, cannot keep 4 slots
// busy on a small shared machine, and the wall-time figure would measure the simulator instead of
// the schedule. BENCH_DECODE_MS=0.5 reproduces the faster setting.
const DECODE_MS = Number(process.env.BENCH_DECODE_MS ?? 2);
const LATENCY = `prefill=${PREFILL_MS}ms,decode=${DECODE_MS}ms`;
const MAX_THINKING = 8192;
const ANSWER_TOKENS = 512;
const PROBE_TOKENS = 24;
const NUM_CTX = 16384;
const SEED = 0;
const BUDGETS = [256, 512, 1024, 2048, 4096];
const PROBE_EVERY = 256;

const SPECS: unknown[] = [
  { type: 'baseline' },
  { type: 'noThinking' },
  ...BUDGETS.map((tokens) => ({ type: 'budget', tokens })),
  { type: 'extend', times: 1 },
  { type: 'extend', times: 2 },
  { type: 'probes', every: PROBE_EVERY },
];

interface Sim {
  url: string;
  child: ChildProcess;
}

function startSim(latency?: string): Promise<Sim> {
  return startSimChild(['--parallel', String(SLOTS), ...(latency ? ['--latency', latency] : [])]);
}

async function simStats(url: string): Promise<{ prefill_new_tokens: number; decoded_tokens: number; requests: number }> {
  const res = await fetch(`${url}/sim/stats`);
  return (await res.json()) as { prefill_new_tokens: number; decoded_tokens: number; requests: number };
}

function stopSim(sim: Sim): Promise<void> {
  return new Promise((resolve) => {
    sim.child.once('exit', () => resolve());
    sim.child.kill('SIGTERM');
  });
}

function problems(): Problem[] {
  return Array.from({ length: PROBLEMS }, (_, i) => generateProblem(families[i % families.length]!, 1000 + i, 2 + (i % 4)));
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

// ---- (b) the naive plan: independent requests from scratch ----

const template = chatmlQwq();
const CLOSE = template.thinkClose;

async function naiveProbe(backend: Backend, prompt: string, k: number, seed: number, ask: Ask): Promise<void> {
  const prefix = await ask(backend, { prompt, maxTokens: k, seed });
  const suffix = PROBE_SUFFIXES.raml;
  for (let want = Math.min(8, PROBE_TOKENS); ; want = Math.min(PROBE_TOKENS, want * 2)) {
    const c = await ask(backend, { prompt: prompt + prefix.text + suffix, maxTokens: want, seed });
    const read = readBoxed(suffix, c.tokens);
    if (read.answer !== undefined || read.used < c.tokens.length || c.doneReason === 'stop' || want >= PROBE_TOKENS) return;
  }
}

type Ask = (backend: Backend, r: { prompt: string; maxTokens: number; seed: number; stop?: string[] }) => Promise<Completion>;

const ask: Ask = (backend, r) => {
  const request: CompletionRequest = {
    prompt: r.prompt,
    maxTokens: r.maxTokens,
    stop: [...template.stopStrings, ...(r.stop ?? [])],
    seed: r.seed,
    sampling: RAML_SAMPLING,
    topLogprobs: 5,
  };
  return backend.complete(MODEL, request);
};

/** The naive jobs for one problem: what a harness without trace trees sends. */
function naiveJobs(problem: Problem, rows: Result[]): (() => Promise<void>)[] {
  const prompt = template.render({ question: problem.question });
  const seed = sampleSeed(SEED, 0);
  const jobs: (() => Promise<void>)[] = [];
  const b: Backend = naiveBackend;
  jobs.push(async () => {
    await ask(b, { prompt, maxTokens: MAX_THINKING + ANSWER_TOKENS, seed });
  });
  jobs.push(async () => {
    await ask(b, { prompt: prompt + NO_THINKING_PREFILL.replaceAll('{close}', CLOSE), maxTokens: ANSWER_TOKENS, seed });
  });
  for (const n of BUDGETS) {
    jobs.push(async () => {
      const t = await ask(b, { prompt, maxTokens: n, seed, stop: [CLOSE] });
      const close = t.doneReason === 'length' ? S1_CLOSE.replaceAll('{close}', CLOSE) : `${CLOSE}\n\n`;
      await ask(b, { prompt: prompt + t.text + close, maxTokens: ANSWER_TOKENS, seed });
    });
  }
  for (const times of [1, 2]) {
    jobs.push(async () => {
      let text = (await ask(b, { prompt, maxTokens: MAX_THINKING, seed, stop: [CLOSE] })).text;
      for (let i = 0; i < times; i++) text += `Wait${(await ask(b, { prompt: `${prompt + text}Wait`, maxTokens: MAX_THINKING, seed, stop: [CLOSE] })).text}`;
      await ask(b, { prompt: `${prompt + text}${CLOSE}\n\n`, maxTokens: ANSWER_TOKENS, seed });
    });
  }
  const probes = rows.find((r) => r.intervention.type === 'probes');
  for (const p of probes?.probes ?? []) jobs.push(() => naiveProbe(b, prompt, p.position, seed, ask));
  return jobs;
}

let naiveBackend: Backend;

async function runPool(jobs: (() => Promise<void>)[], workers: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (;;) {
        const job = jobs[next++];
        if (!job) return;
        await job();
      }
    }),
  );
}

// ---- the study ----

async function main(): Promise<void> {
  const list = problems();
  const interventions = SPECS.map((s, i) => interventionFromSpec(s, `bench/${i}`));
  const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-bench-'));

  // (a) trace trees, latency emulation on.
  const simA = await startSim(LATENCY);
  const store = openStore(join(dir, 'tree.sqlite'));
  const backendA = new OllamaBackend({ host: simA.url, numCtx: NUM_CTX });
  const t0 = performance.now();
  const outcome = await runPlan({
    backend: backendA,
    store,
    model: MODEL,
    template,
    problems: list,
    interventions,
    runId: 'bench',
    seed: SEED,
    sampling: RAML_SAMPLING,
    concurrency: SLOTS,
    maxThinkingTokens: MAX_THINKING,
    answerTokens: ANSWER_TOKENS,
    probeTokens: PROBE_TOKENS,
    rowAlternatives: false,
  });
  const wallMs = performance.now() - t0;
  const statsA = await simStats(simA.url);
  store.close();
  await stopSim(simA);
  const treeTokens = statsA.prefill_new_tokens + statsA.decoded_tokens;
  const tokenTime = statsA.prefill_new_tokens * PREFILL_MS + statsA.decoded_tokens * DECODE_MS;
  const perTree = new Map<string, number>();
  for (const r of outcome.results) perTree.set(r.tree, (perTree.get(r.tree) ?? 0) + r.cost.tree.prefill * PREFILL_MS + r.cost.tree.decoded * DECODE_MS);
  const criticalPath = Math.max(...perTree.values());
  const idealMs = Math.max(tokenTime / SLOTS, criticalPath);

  // (b) naive, on a fresh simulator without latency (only token counts matter).
  const simB = await startSim();
  naiveBackend = new OllamaBackend({ host: simB.url, numCtx: NUM_CTX });
  const rowsByProblem = new Map<string, Result[]>();
  for (const r of outcome.results) rowsByProblem.set(r.problemId, [...(rowsByProblem.get(r.problemId) ?? []), r]);
  const jobs = list.flatMap((p) => naiveJobs(p, rowsByProblem.get(p.id) ?? []));
  const tNaive = performance.now();
  await runPool(jobs, SLOTS);
  const naiveMs = performance.now() - tNaive;
  const statsB = await simStats(simB.url);
  await stopSim(simB);
  rmSync(dir, { recursive: true, force: true });
  const naiveTokens = statsB.prefill_new_tokens + statsB.decoded_tokens;

  // (c) the theoretical minimum.
  const minTokens = outcome.minimal.prefill + outcome.minimal.decoded;

  const thinking = outcome.results.filter((r) => r.intervention.type === 'baseline').map((r) => r.counts.thinking);
  console.log(`thinkprobe engine benchmark: ${list.length} problems x ${interventions.length} interventions on ${MODEL}, ${SLOTS} slots, latency ${LATENCY}`);
  console.log(`baseline thinking tokens: min ${Math.min(...thinking)}, median ${thinking.sort((a, b) => a - b)[Math.floor(thinking.length / 2)]}, max ${Math.max(...thinking)}`);
  console.log('');
  console.log('per intervention            alone (tokens)   tree share (tokens)');
  for (const c of outcome.perIntervention) {
    console.log(`  ${c.label.padEnd(24)} ${fmt(c.alone.prefill + c.alone.decoded).padStart(14)} ${fmt(c.tree.prefill + c.tree.decoded).padStart(20)}`);
  }
  console.log('');
  console.log(`(a) trace trees   ${fmt(treeTokens).padStart(10)} tokens  (prefill ${fmt(statsA.prefill_new_tokens)}, decoded ${fmt(statsA.decoded_tokens)}, ${statsA.requests} requests)`);
  console.log(`(b) naive plan    ${fmt(naiveTokens).padStart(10)} tokens  (prefill ${fmt(statsB.prefill_new_tokens)}, decoded ${fmt(statsB.decoded_tokens)}, ${statsB.requests} requests, ${fmt(naiveMs)} ms without latency)`);
  console.log(`(c) minimum       ${fmt(minTokens).padStart(10)} tokens  (prefill ${fmt(outcome.minimal.prefill)}, decoded ${fmt(outcome.minimal.decoded)})`);
  console.log(`engine's own estimate of (a): prefill ${fmt(outcome.spent.newPrefill)}, decoded ${fmt(outcome.spent.decoded)}`);
  console.log(`request time: ${fmt(outcome.spent.wallMs / SLOTS)} ms per slot (sum of request wall times / ${SLOTS})`);
  console.log(`wall ${fmt(wallMs)} ms vs ideal ${fmt(idealMs)} ms (token-time ${fmt(tokenTime)} ms / ${SLOTS} slots; longest tree ${fmt(criticalPath)} ms)`);
  const summary = {
    problems: list.length,
    interventions: interventions.length,
    slots: SLOTS,
    tree_tokens: treeTokens,
    naive_tokens: naiveTokens,
    min_tokens: minTokens,
    tree_vs_min: Number((treeTokens / minTokens).toFixed(3)),
    naive_vs_tree: Number((naiveTokens / treeTokens).toFixed(3)),
    wall_ms: Math.round(wallMs),
    ideal_ms: Math.round(idealMs),
    wall_vs_ideal: Number((wallMs / idealMs).toFixed(3)),
  };
  console.log(JSON.stringify(summary));
}

await main();
