/**
 * `npm run bench:scale`: the engine's standard study (bench/engine.bench.ts: baseline, noThinking,
 * budgets 256..4096, extend Wait x1 and x2, probes every 256 tokens) on 3 simulator hosts, each a
 * `thinkprobe sim` child process with 4 slots and a real per-token decode time (`--latency`),
 * driven over their OpenAI-compatible API through the host pool (src/backends/pool.ts).
 *
 * - wall_vs_ideal: wall time of the 3-host run over the ideal schedule, total token-time / 12
 *   slots or the longest tree's own token-time if longer (as bench/engine.bench.ts measures it);
 * - tree_vs_min: server work (new prefill + decoded tokens, summed over the hosts' /sim/stats) over
 *   the theoretical minimum: trunk affinity keeps a tree's prefix cache on one host;
 * - identical_to_one_host: the same study on one host (over its Ollama API) gives the same
 *   results (key, answer, thinking and answer tokens, probe answers);
 * - host_killed_identical: a 3-host run where one host is killed with SIGKILL after a third of
 *   the trees gives the same results too;
 * - lhat_requests_per_probe_openai: server requests per teacher-forced L-hat probe over the
 *   pool's OpenAI-compatible hosts (exactly 1: echo + logprobs scores the whole reference).
 * BENCH_PROBLEMS (default 18), BENCH_DECODE_MS (default 5), BENCH_PREFILL_MS (0.02) override.
 * Prints figures; the last line is one JSON object.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../src/backends/backend.ts';
import { OllamaBackend } from '../src/backends/ollama.ts';
import { createOpenAIBackend } from '../src/backends/openai.ts';
import { POOL_HOST_RETRY } from '../src/runner/pool-target.ts';
import { createPoolBackend, type PoolBackend } from '../src/backends/pool.ts';
import type { Result } from '../src/core/model.ts';
import { RAML_SAMPLING, runPlan, type Progress } from '../src/engine/index.ts';
import { interventionFromSpec } from '../src/interventions/index.ts';
import { families, generateProblem } from '../src/problems/families/index.ts';
import type { Problem } from '../src/problems/problem.ts';
import { measureLhat } from '../src/runner/confidence-pass.ts';
import { openStore } from '../src/store/sqlite-store.ts';
import { chatmlQwq } from '../src/templates/index.ts';
import { startSimChild } from './sim-child.ts';

const HOSTS = 3;
const SLOTS = 4;
const PROBLEMS = Number(process.env.BENCH_PROBLEMS ?? 18);
const PREFILL_MS = Number(process.env.BENCH_PREFILL_MS ?? 0.02);
// 5 ms/token (still ~5x faster than QwQ-32B on one GPU): three simulator processes and the client
// share the machine, and at 2 ms/token their CPU time, not the schedule, sets the wall time on a
// small shared box (the simulator spends ~0.15 ms of CPU per generated token).
const DECODE_MS = Number(process.env.BENCH_DECODE_MS ?? 5);
const LATENCY = `prefill=${PREFILL_MS}ms,decode=${DECODE_MS}ms`;
const MODEL = 'sim-qwq';
const NUM_CTX = 16384;
const SPECS: unknown[] = [
  { type: 'baseline' },
  { type: 'noThinking' },
  ...[256, 512, 1024, 2048, 4096].map((tokens) => ({ type: 'budget', tokens })),
  { type: 'extend', times: 1 },
  { type: 'extend', times: 2 },
  { type: 'probes', every: 256 },
];
const template = chatmlQwq();

interface Sim {
  url: string;
  child: ChildProcess;
}

function startSim(latency?: string): Promise<Sim> {
  return startSimChild(['--parallel', String(SLOTS), ...(latency ? ['--latency', latency] : [])]);
}

function stop(sim: Sim): Promise<void> {
  if (sim.child.exitCode !== null || sim.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    sim.child.once('exit', () => resolve());
    sim.child.kill('SIGTERM');
  });
}

type Stats = { prefill_new_tokens: number; decoded_tokens: number; requests: number };
async function stats(url: string): Promise<Stats> {
  return (await (await fetch(`${url}/sim/stats`)).json()) as Stats;
}

function pool(sims: readonly Sim[], warnings: string[]): PoolBackend {
  return createPoolBackend({
    hosts: sims.map((s) => ({ url: s.url, slots: SLOTS, backend: createOpenAIBackend({ host: s.url, numCtx: NUM_CTX, retry: POOL_HOST_RETRY }) })),
    onWarn: (line) => warnings.push(line),
  });
}

const problems: Problem[] = Array.from({ length: PROBLEMS }, (_, i) => generateProblem(families[i % families.length]!, 1000 + i, 2 + (i % 4)));
const interventions = SPECS.map((s, i) => interventionFromSpec(s, `bench/${i}`));

async function study(backend: Backend, file: string, concurrency: number, onProgress?: (p: Progress) => void) {
  const store = openStore(file);
  try {
    return await runPlan({
      backend,
      store,
      model: MODEL,
      template,
      problems,
      interventions,
      runId: 'scale',
      seed: 0,
      sampling: RAML_SAMPLING,
      concurrency,
      maxThinkingTokens: 8192,
      answerTokens: 512,
      probeTokens: 24,
      rowAlternatives: false,
      ...(onProgress ? { onProgress } : {}),
    });
  } finally {
    store.close();
  }
}

/** What a run decided, per result: no timings, no host. */
function decided(results: readonly Result[]): string {
  const rows = results.map((r) => [r.key, r.answer, r.counts, r.error ?? null, r.probes.map((p) => [p.position, p.answer ?? null])]);
  return JSON.stringify(rows.sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-scale-'));
  const total = HOSTS * SLOTS;

  // (1) 3 hosts, latency on: wall time against the ideal schedule, server work against the minimum.
  const sims = await Promise.all(Array.from({ length: HOSTS }, () => startSim(LATENCY)));
  const warnings: string[] = [];
  const pooled = pool(sims, warnings);
  await pooled.describe(MODEL);
  const t0 = performance.now();
  const three = await study(pooled, join(dir, 'three.sqlite'), total);
  const wallMs = performance.now() - t0;
  const perHost = await Promise.all(sims.map((s) => stats(s.url)));
  const prefill = perHost.reduce((n, s) => n + s.prefill_new_tokens, 0);
  const decoded = perHost.reduce((n, s) => n + s.decoded_tokens, 0);
  const tokenTime = prefill * PREFILL_MS + decoded * DECODE_MS;
  const perTree = new Map<string, number>();
  for (const r of three.results) perTree.set(r.tree, (perTree.get(r.tree) ?? 0) + r.cost.tree.prefill * PREFILL_MS + r.cost.tree.decoded * DECODE_MS);
  const longest = Math.max(...perTree.values());
  const idealMs = Math.max(tokenTime / total, longest);
  const minTokens = three.minimal.prefill + three.minimal.decoded;

  // L-hat at the probe points, over the pool's OpenAI-compatible hosts.
  const probed = three.results.filter((r) => r.probes.length > 0);
  const before = (await Promise.all(sims.map((s) => stats(s.url)))).reduce((n, s) => n + s.requests, 0);
  let probes = 0;
  await measureLhat({
    backend: pooled,
    model: MODEL,
    records: probed,
    problems: new Map(problems.map((p) => [p.id, p])),
    layout: { delims: { thinkOpen: template.thinkOpen, thinkClose: template.thinkClose }, opensInPrompt: !template.opensThinkingItself },
    onProbe: () => probes++,
  });
  const after = (await Promise.all(sims.map((s) => stats(s.url)))).reduce((n, s) => n + s.requests, 0);
  const hostsUsed = pooled.hosts();
  await Promise.all(sims.map(stop));

  // (2) one host (its Ollama API), no latency: only the results are compared.
  const single = await startSim();
  const one = await study(new OllamaBackend({ host: single.url, numCtx: NUM_CTX }), join(dir, 'one.sqlite'), SLOTS);
  await stop(single);

  // (3) 3 hosts, one killed (SIGKILL) once a third of the trees are done.
  const killSims = await Promise.all(Array.from({ length: HOSTS }, () => startSim(`decode=${Math.min(DECODE_MS, 0.5)}ms`)));
  const killWarnings: string[] = [];
  const killPool = pool(killSims, killWarnings);
  await killPool.describe(MODEL);
  let killedAt = -1;
  const killed = await study(killPool, join(dir, 'killed.sqlite'), total, (p) => {
    if (killedAt < 0 && p.trees.done >= p.trees.total / 3) {
      killedAt = p.trees.done;
      killSims[1]!.child.kill('SIGKILL');
    }
  });
  const killHosts = killPool.hosts();
  await Promise.all(killSims.map(stop));
  rmSync(dir, { recursive: true, force: true });

  console.log(`thinkprobe scale benchmark: ${problems.length} problems x ${interventions.length} interventions (bench/engine.bench.ts's study) on ${HOSTS} simulator hosts (OpenAI-compatible API) x ${SLOTS} slots, latency ${LATENCY}`);
  console.log('host                          trees  requests  decoded tokens');
  for (const [i, h] of hostsUsed.entries()) console.log(`  ${h.url.padEnd(28)} ${String(h.trees).padStart(5)} ${String(h.requests).padStart(9)} ${fmt(perHost[i]!.decoded_tokens).padStart(15)}`);
  console.log(`server work ${fmt(prefill + decoded)} tokens (prefill ${fmt(prefill)}, decoded ${fmt(decoded)}) vs minimum ${fmt(minTokens)}`);
  console.log(`wall ${fmt(wallMs)} ms vs ideal ${fmt(idealMs)} ms (token-time ${fmt(tokenTime)} ms / ${total} slots; longest tree ${fmt(longest)} ms)`);
  console.log(`L-hat: ${probes} probes, ${after - before} requests`);
  console.log(`killed host ${killSims[1]!.url} after ${killedAt} trees; trees per host ${killHosts.map((h) => `${h.trees}${h.down ? ' (down)' : ''}`).join(', ')}`);
  for (const w of [...warnings, ...killWarnings]) console.log(`  pool: ${w}`);
  console.log(
    JSON.stringify({
      hosts: HOSTS,
      wall_ms: Math.round(wallMs),
      ideal_ms: Math.round(idealMs),
      wall_vs_ideal: Number((wallMs / idealMs).toFixed(3)),
      tree_vs_min: Number(((prefill + decoded) / minTokens).toFixed(3)),
      identical_to_one_host: decided(three.results) === decided(one.results),
      host_killed_identical: killHosts[1]!.down && decided(killed.results) === decided(one.results),
      lhat_requests_per_probe_openai: probes === 0 ? null : Number(((after - before) / probes).toFixed(3)),
    }),
  );
}

await main();
