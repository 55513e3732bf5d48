/**
 * `npm run bench:overhead`: thinkprobe's own CPU per request and per decoded token, the harness's
 * event-loop delay, and the store's share of that CPU.
 *
 * Method. It measures the harness, not the model server:
 * - The simulator runs in its own process (`thinkprobe sim --port 0 --parallel 4`, no latency
 *   emulation, so it answers as fast as it can and the harness is the part under load), with an
 *   answer key for the suites' problems written to a temp file.
 * - thinkprobe runs in this process (`runSuite`, as `thinkprobe run --model sim-qwq --host URL
 *   --concurrency 4 --no-html` would), over real HTTP, with a fresh run folder and store per suite.
 * - Warm-up, not counted ("startup excluded"): a small run loads every module, then the
 *   request-heavy suite's own interventions and checks run on other problems (its problem seeds
 *   moved by WARM_SEED_OFFSET, so no prompt, completion or parsed answer is shared with the measured
 *   run and no cache of ours can carry a hit over) until the JIT has settled: until a pass's CPU per
 *   request is within SETTLED of the pass before, at most WARM_PASSES passes. The first pass is
 *   the cold cost, about twice a settled pass's: V8 is still optimising the code it runs hot (some
 *   thousand functions, compiled on background threads that process.cpuUsage counts), a one-time
 *   cost that a study of hours amortises and a 7-second run does not. Every pass is printed as its
 *   own line, so the cold figure stays in view.
 *   A small token-heavy pass (other seed) warms the long-reply paths the same way.
 * - Each suite is then measured in MEASURED_PASSES passes (a fresh run folder and store each),
 *   every pass printed; the suite's figures are the median over its passes, figure by figure (the
 *   middle value of three: one disturbed pass does not move it).
 * - Per pass: this process's CPU (`process.cpuUsage`, user + system, all of its threads) from
 *   just before runSuite to just after it; requests and decoded tokens as the simulator counted
 *   them (`/sim/stats`, so requests served from the store are not counted as work done); the
 *   event-loop delay p99 (`perf_hooks.monitorEventLoopDelay`, 1 ms resolution) over the run; and
 *   the CPU spent inside store calls (src/store/timing.ts: cpuUsage around each call, group
 *   commits included) over that CPU.
 * - Two suites: request-heavy (`suites/termination.yaml`: noThinking, stop phrase, /no_think,
 *   budgets, DEER and Dynasor probes, a property check that reruns Dynasor; many short requests)
 *   and token-heavy (a baseline and one forced "Wait" on harder problems: few long requests).
 * The HTML report is off: it is built once per run, not per request (`npm run bench:report`).
 *
 * Prints one JSON line per warm-up pass, per measured pass and per suite's median, then the final
 * line: cpu_ms_per_request from the request-heavy suite, cpu_us_per_decoded_token from the
 * token-heavy one, and the worse event-loop p99 and store share of the two. Targets:
 * cpu_ms_per_request <= 1.0, cpu_us_per_decoded_token <= 20, event_loop_p99_ms <= 20.
 *
 * BENCH_PROFILE=<dir> also records a CPU profile of the measured runs (node:inspector) into <dir>
 * and prints the top self-time functions and files and the inclusive CPU by area (src/store,
 * src/backends, ...); the figures are then inflated by the profiler, and store_share_of_cpu is 0
 * (its cpuUsage timers would distort the profile: read the area table instead). It also lists what
 * ran during the event loop's pauses over 20 ms that were spent computing (this process used 20 ms
 * of CPU in them), leaving out pauses where a busy machine simply did not schedule it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { loadAllProblems } from '../src/problems/load.ts';
import { runSuite } from '../src/runner/run-suite.ts';
import { measureStoreCpu, storeCpuMs } from '../src/store/timing.ts';
import { loadSuite } from '../src/suite/load.ts';
import { startSimChild, type SimChild } from './sim-child.ts';

const SLOTS = 4;
const MODEL = 'sim-qwq';
const REQUEST_HEAVY = fileURLToPath(new URL('../suites/termination.yaml', import.meta.url));

/** Warm-up passes of the request-heavy suite's shape: until settled, and never more than this. */
const WARM_PASSES = 5;
/** A pass within this fraction of the one before it means the JIT has settled. */
const SETTLED = 0.1;
/**
 * Measured passes per suite: the machine (two cores shared with the simulator and whatever else
 * runs) moves one pass by 10-20%, so the figures are the median pass's, figure by figure.
 */
const MEASURED_PASSES = 3;
/** Added to every problem seed of a warm-up suite: other problems, so nothing cached carries over. */
const WARM_SEED_OFFSET = 1000;

const tokenHeavyYaml = (count: number, seed: number): string => `name: overhead-tokens
model: sim:sim-qwq
problems:
  - family: arithmetic-chain
    count: ${count}
    difficulty: 5
    seed: ${seed}
samples: 1
maxThinkingTokens: 8192
interventions:
  - type: baseline
  - type: extend
    times: 1
checks:
  - type: budgetRespected
`;

const WARMUP_YAML = `name: overhead-warmup
model: sim:sim-qwq
problems:
  - family: arithmetic-chain
    count: 2
    difficulty: 1
    seed: 3
interventions:
  - type: baseline
  - type: budget
    tokens: 64
  - type: earlyExit
    method: dynasor
    every: 32
  - type: earlyExit
    method: deer
checks:
  - type: budgetRespected
  # Loads and compiles what the request-heavy suite's property check needs (its schema
  # validator compiles on first use), so that one-time work is not counted as per-request CPU.
  - type: property
    name: warm-up property
    intervention: { type: earlyExit, method: dynasor }
    vary: { param: every, min: 32, max: 64 }
    of: baseline
    minRatio: 0
    runs: 1
`;

interface SimStats {
  requests: number;
  decoded_tokens: number;
}

interface Figures {
  suite: string;
  requests: number;
  decoded_tokens: number;
  cpu_ms: number;
  wall_ms: number;
  cpu_ms_per_request: number;
  cpu_us_per_decoded_token: number;
  event_loop_p99_ms: number;
  store_share_of_cpu: number;
}

function startSim(answers: string): Promise<SimChild> {
  return startSimChild(['--parallel', String(SLOTS), '--answers', answers]);
}

async function simStats(url: string): Promise<SimStats> {
  const res = await fetch(`${url}/sim/stats`);
  return (await res.json()) as SimStats;
}

/** The request-heavy suite with every problem seed moved: the same work on other problems. */
function warmUpSuite(file: string): string {
  const suite = parse(readFileSync(file, 'utf8')) as { name: string; problems: { seed?: number }[] };
  suite.name = `${suite.name}-warm-up`;
  for (const source of suite.problems) source.seed = (source.seed ?? 0) + WARM_SEED_OFFSET;
  return stringify(suite);
}

/** The simulator knows the answers of every problem the suites ask, as the embedded one would. */
async function writeAnswerKey(suiteFiles: string[], file: string): Promise<void> {
  const lines: string[] = [];
  for (const suiteFile of suiteFiles) {
    const loaded = await loadSuite(suiteFile);
    for (const p of await loadAllProblems(loaded.suite.problems, { root: loaded.root })) {
      lines.push(JSON.stringify({ question: p.question, answer: p.answer, ...(p.difficulty === undefined ? {} : { difficulty: p.difficulty }) }));
    }
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

async function measure(name: string, suiteFile: string, url: string, out: string): Promise<Figures> {
  const before = await simStats(url);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  // Under the profiler the store's share comes from the profile: cpuUsage calls would distort it.
  measureStoreCpu(!process.env.BENCH_PROFILE);
  const storeBefore = storeCpuMs();
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  delay.enable();
  const outcome = await runSuite({ suiteFile, model: MODEL, host: url, concurrency: SLOTS, out, fresh: true, html: false, log: () => undefined });
  delay.disable();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const storeMs = storeCpuMs() - storeBefore;
  measureStoreCpu(false);
  if (outcome.status !== 'completed') throw new Error(`${name}: run ${outcome.status}`);
  const after = await simStats(url);
  const requests = after.requests - before.requests;
  const decoded = after.decoded_tokens - before.decoded_tokens;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    suite: name,
    requests,
    decoded_tokens: decoded,
    cpu_ms: round(cpuMs, 1),
    wall_ms: round(wallMs, 1),
    cpu_ms_per_request: round(cpuMs / requests, 3),
    cpu_us_per_decoded_token: round((cpuMs * 1000) / decoded, 2),
    event_loop_p99_ms: round(delay.percentile(99) / 1e6, 2),
    store_share_of_cpu: round(storeMs / cpuMs, 4),
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** An event-loop pause: from the last tick of a 1 ms timer to the late one, in monotonic microseconds (the profile's clock). */
interface Pause {
  start: number;
  end: number;
  /** This process's CPU over the pause, in µs: a pause with little CPU was the OS running something else. */
  cpu: number;
}

const PAUSE_MS = 20;

/**
 * Under BENCH_PROFILE: every pause of the event loop over PAUSE_MS in which this process also used
 * PAUSE_MS of CPU (so a busy machine's descheduling is left out), to find what ran in them.
 */
function watchPauses(): { stop(): Pause[] } {
  const pauses: Pause[] = [];
  const now = (): number => Number(process.hrtime.bigint() / 1000n);
  const cpuNow = (): number => {
    const c = process.cpuUsage();
    return c.user + c.system;
  };
  let last = now();
  let lastCpu = cpuNow();
  const timer = setInterval(() => {
    const t = now();
    const cpu = cpuNow();
    if (t - last > PAUSE_MS * 1000 && cpu - lastCpu > PAUSE_MS * 1000) pauses.push({ start: last, end: t, cpu: cpu - lastCpu });
    last = t;
    lastCpu = cpu;
  }, 1);
  return {
    stop(): Pause[] {
      clearInterval(timer);
      return pauses;
    },
  };
}

interface Profile {
  stop(dir: string, pauses: Pause[]): Promise<string>;
}

/** BENCH_PROFILE: a V8 CPU profile of the measured runs, summarised as top self time by function and by file. */
async function startProfile(): Promise<Profile> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    async stop(dir: string, pauses: Pause[]): Promise<string> {
      const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
      session.disconnect();
      const file = join(dir, `overhead-${Date.now()}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return `profile: ${file}\n${summariseProfile(profile.nodes)}${summariseAreas(profile.nodes)}${summarisePauses(profile, pauses)}`;
    },
  };
}

/** Self samples by function and by file (repository-relative; node_modules by package; native by name). */
function summariseProfile(nodes: ProfileNode[]): string {
  const total = nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const node of nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    const short = path.startsWith(root) ? path.slice(root.length) : path;
    const file = short.replace(/^node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, 'node_modules/$1') || `(${functionName || 'native'})`;
    const fn = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    byFile.set(file, (byFile.get(file) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, n: number): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `top self time by function:\n${top(byFunction, 30)}\ntop self time by file:\n${top(byFile, 25)}\n`;
}

const AREAS: [string, RegExp][] = [
  ['src/store', /\/src\/store\//],
  ['src/backends/context-budget.ts', /\/src\/backends\/context-budget/],
  ['src/backends + ollama client', /\/src\/backends\/|node_modules\/ollama\//],
  ['src/grading', /\/src\/grading\//],
  ['src/checks', /\/src\/checks\//],
  ['src/engine', /\/src\/engine\//],
  ['src/runner', /\/src\/runner\//],
];

/**
 * Inclusive CPU by area (idle excluded): each sample goes to the first area in AREAS with a frame
 * anywhere on its stack, so the store's figure includes SQLite and JSON work it calls into.
 */
function summariseAreas(nodes: ProfileNode[]): string {
  const parent = new Map<number, ProfileNode>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node);
  const shares = new Map<string, number>();
  let total = 0;
  for (const node of nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || node.callFrame.functionName === '(idle)') continue;
    total += hits;
    const urls: string[] = [];
    for (let at: ProfileNode | undefined = node; at; at = parent.get(at.id)) urls.push(at.callFrame.url);
    const area = AREAS.find(([, pattern]) => urls.some((url) => pattern.test(url)))?.[0] ?? `no src frame: ${node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : 'node internals (undici, streams)'}`;
    shares.set(area, (shares.get(area) ?? 0) + hits);
  }
  const lines = [...shares.entries()].sort((a, b) => b[1] - a[1]).map(([area, hits]) => `  ${((100 * hits) / total).toFixed(1).padStart(5)}%  ${area}`);
  return `CPU by area, inclusive, idle excluded:\n${lines.join('\n')}\n`;
}

function frameName(node: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const short = path.startsWith(root) ? path.slice(root.length) : path;
  return `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
}

/**
 * What ran during the event loop's pauses over PAUSE_MS: the samples inside them, by function,
 * inclusive (a function counts once per sample wherever it is on the stack).
 */
function summarisePauses(profile: CpuProfile, pauses: Pause[]): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const root = fileURLToPath(new URL('..', import.meta.url));
  const inclusive = new Map<string, number>();
  let samples = 0;
  let at = profile.startTime;
  let p = 0;
  const sorted = [...pauses].sort((a, b) => a.start - b.start);
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    while (p < sorted.length && sorted[p]!.end < at) p++;
    const pause = sorted[p];
    if (!pause || at < pause.start) continue;
    samples++;
    const seen = new Set<string>();
    for (let node = byId.get(profile.samples[i]!); node; node = parent.get(node.id)) {
      const name = frameName(node, root);
      if (name === '(root)' || seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
    }
  }
  const totalMs = pauses.reduce((n, q) => n + q.cpu / 1000, 0);
  const longest = pauses.reduce((n, q) => Math.max(n, q.cpu / 1000), 0);
  const lines = [...inclusive.entries()]
    .filter(([name]) => !name.startsWith('node:') && !name.includes(' node:'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([name, n]) => `  ${((100 * n) / Math.max(1, samples)).toFixed(1).padStart(5)}%  ${name}`);
  return `event-loop pauses with over ${PAUSE_MS} ms of CPU: ${pauses.length}, ${totalMs.toFixed(0)} ms of CPU in all, longest ${longest.toFixed(0)} ms; inclusive CPU in them by function (node internals left out):\n${lines.join('\n')}\n`;
}

/** Each pass printed, then their median, figure by figure (see the header). */
async function measurePasses(passes: number, name: string, suiteFile: string, url: string, out: string): Promise<Figures> {
  const all: Figures[] = [];
  for (let pass = 1; pass <= passes; pass++) {
    const figures = await measure(passes === 1 ? name : `${name}, pass ${pass}`, suiteFile, url, out);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    all.push(figures);
  }
  if (passes === 1) return all[0]!;
  const median = (pick: (f: Figures) => number): number => {
    const sorted = all.map(pick).sort((a, b) => a - b);
    return sorted[(sorted.length - 1) >> 1]!;
  };
  const figures: Figures = {
    suite: `${name}, median of ${passes} passes`,
    requests: median((f) => f.requests),
    decoded_tokens: median((f) => f.decoded_tokens),
    cpu_ms: median((f) => f.cpu_ms),
    wall_ms: median((f) => f.wall_ms),
    cpu_ms_per_request: median((f) => f.cpu_ms_per_request),
    cpu_us_per_decoded_token: median((f) => f.cpu_us_per_decoded_token),
    event_loop_p99_ms: median((f) => f.event_loop_p99_ms),
    store_share_of_cpu: median((f) => f.store_share_of_cpu),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  return figures;
}

/** Warm-up passes until the JIT has settled (see the header), each printed; then one token-heavy pass. */
async function warmUp(requestSuite: string, tokenSuite: string, url: string, out: string): Promise<void> {
  let previous: number | undefined;
  for (let pass = 1; pass <= WARM_PASSES; pass++) {
    const figures = await measure(`warm-up ${pass} (request-heavy shape, other problems)`, requestSuite, url, out);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    const settled = previous !== undefined && Math.abs(figures.cpu_ms_per_request - previous) <= SETTLED * previous;
    previous = figures.cpu_ms_per_request;
    if (settled) break;
  }
  process.stdout.write(`${JSON.stringify(await measure('warm-up (token-heavy shape, other problems)', tokenSuite, url, out))}\n`);
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-overhead-'));
  const tokenHeavy = join(dir, 'overhead-tokens.yaml');
  const tokenWarmUp = join(dir, 'overhead-tokens-warm-up.yaml');
  const warmup = join(dir, 'overhead-warmup.yaml');
  const requestWarmUp = join(dir, 'termination-warm-up.yaml');
  writeFileSync(tokenHeavy, tokenHeavyYaml(Number(process.env.BENCH_TOKEN_PROBLEMS ?? 24), 11));
  writeFileSync(tokenWarmUp, tokenHeavyYaml(6, 11 + WARM_SEED_OFFSET));
  writeFileSync(warmup, WARMUP_YAML);
  writeFileSync(requestWarmUp, warmUpSuite(REQUEST_HEAVY));
  const answers = join(dir, 'answers.jsonl');
  await writeAnswerKey([REQUEST_HEAVY, tokenHeavy, warmup, requestWarmUp, tokenWarmUp], answers);
  const sim = await startSim(answers);
  let profile: Profile | undefined;
  try {
    await measure('warm-up: modules', warmup, sim.url, join(dir, 'reports'));
    await warmUp(requestWarmUp, tokenWarmUp, sim.url, join(dir, 'reports'));
    let pauses: { stop(): Pause[] } | undefined;
    if (process.env.BENCH_PROFILE) {
      profile = await startProfile();
      pauses = watchPauses();
    }
    const passes = process.env.BENCH_PROFILE ? 1 : MEASURED_PASSES;
    const requestHeavy = await measurePasses(passes, 'request-heavy (suites/termination.yaml)', REQUEST_HEAVY, sim.url, join(dir, 'reports'));
    const tokens = await measurePasses(passes, 'token-heavy (baseline + extend x1, difficulty 5)', tokenHeavy, sim.url, join(dir, 'reports'));
    if (profile && pauses && process.env.BENCH_PROFILE) process.stdout.write(await profile.stop(process.env.BENCH_PROFILE, pauses.stop()));
    const final = {
      requests: requestHeavy.requests + tokens.requests,
      decoded_tokens: requestHeavy.decoded_tokens + tokens.decoded_tokens,
      cpu_ms_per_request: requestHeavy.cpu_ms_per_request,
      cpu_us_per_decoded_token: tokens.cpu_us_per_decoded_token,
      event_loop_p99_ms: Math.max(requestHeavy.event_loop_p99_ms, tokens.event_loop_p99_ms),
      store_share_of_cpu: Math.max(requestHeavy.store_share_of_cpu, tokens.store_share_of_cpu),
    };
    process.stdout.write(`${JSON.stringify(final)}\n`);
  } finally {
    sim.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
