/**
 * One backend over several hosts. The engine sees a single server with every host's slots; the
 * pool decides where each request goes:
 * - trunk affinity: every request of one trace tree (problem x sample) goes to the host that got
 *   the tree's first request, so branches and probes reuse that host's prefix cache;
 * - balance: a new tree goes to the host with the least work in flight relative to its slots and
 *   its measured decode rate (tokens/s per request, measured as the run goes);
 * - limits: each host gets at most its own slot count of requests at once;
 * - failover: a host that stops answering (connection refused or reset after its retries) is
 *   marked down and its trees move to the others; the failed request is sent again elsewhere.
 *   Answers already received are in the run's store, so nothing is lost or counted twice, and a
 *   seeded request gets the same answer from any host serving the same model.
 */
import { setMaxListeners } from 'node:events';
import { BackendUnreachableError, InputError } from '../core/errors.ts';
import { TreeKeys } from './affinity.ts';
import type { Backend, Completion, CompletionRequest, ModelInfo, TextScore } from './backend.ts';
import { createLimiter, type Limiter } from './limiter.ts';

export interface PoolHost {
  /** Shown in warnings and the run's backend label. */
  url: string;
  slots: number;
  backend: Backend;
}

export interface HostState {
  url: string;
  slots: number;
  down: boolean;
  /** Requests answered by this host. */
  requests: number;
  decodedTokens: number;
  /** Trees first placed on (or moved to) this host. */
  trees: number;
  /** Measured decode rate per request (tokens/s), undefined until a request finished. */
  tokensPerSecond: number | undefined;
  /** The model's digest as this host reported it at preflight (undefined when it was not usable). */
  digest?: string | undefined;
}

export interface PoolBackend extends Backend {
  hosts(): HostState[];
}

interface Host extends HostState {
  backend: Backend;
  limiter: Limiter;
}

/** Thrown inside the pool only: a request queued for a host that went down meanwhile. */
class HostDownError extends BackendUnreachableError {}

/** Weight of the newest request in a host's decode-rate average. */
const RATE_WEIGHT = 0.2;

export function createPoolBackend(options: { hosts: readonly PoolHost[]; onWarn?: (line: string) => void }): PoolBackend {
  if (options.hosts.length === 0) throw new InputError('--host', 'expected at least one host');
  const hosts: Host[] = options.hosts.map((h) => ({
    url: h.url,
    slots: h.slots,
    backend: h.backend,
    limiter: createLimiter(h.slots),
    down: false,
    requests: 0,
    decodedTokens: 0,
    trees: 0,
    tokensPerSecond: undefined,
  }));
  const router = new Router(hosts, (line) => options.onWarn?.(line));
  let described: Promise<ModelInfo> | undefined;
  const pool: PoolBackend = {
    label: `pool of ${hosts.length}: ${hosts.map((h) => `${h.backend.label} (${h.slots} slot${h.slots === 1 ? '' : 's'})`).join(', ')}`,
    describe(model: string): Promise<ModelInfo> {
      described ??= preflight(hosts, model, (line) => options.onWarn?.(line));
      return described;
    },
    complete(model: string, request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
      return router.routed(request.prompt, request.seed, async (host) => measure(host, await host.backend.complete(model, request, signal)), signal);
    },
    hosts: () => hosts.map(({ backend: _b, limiter: _l, ...state }) => ({ ...state })),
  };
  if (hosts.some((h) => h.backend.scoreText)) {
    // No seed: a probe goes where its problem's trees went, whose prefix cache holds its context.
    pool.scoreText = (model: string, request: { context: string; continuation: string }, signal?: AbortSignal): Promise<TextScore | undefined> =>
      router.routed(request.context, undefined, async (host) => (host.backend.scoreText ? host.backend.scoreText(model, request, signal) : undefined), signal);
  }
  return pool;
}

/** Counts a host's answer and updates its measured decode rate. */
function measure(host: Host, completion: Completion): Completion {
  host.requests++;
  host.decodedTokens += completion.decodedTokens;
  if (completion.decodedTokens < 2 || completion.wallMs <= 0) return completion;
  const rate = (completion.decodedTokens * 1000) / completion.wallMs;
  host.tokensPerSecond = host.tokensPerSecond === undefined ? rate : host.tokensPerSecond + RATE_WEIGHT * (rate - host.tokensPerSecond);
  return completion;
}

/** Where each request goes: its tree's host, a newly placed one, or another when that host fails. */
class Router {
  private readonly keys = new TreeKeys();
  private readonly treeHost = new Map<string, Host>();
  private readonly problemHost = new Map<string, Host>();

  constructor(
    private readonly hosts: Host[],
    private readonly warn: (line: string) => void,
  ) {}

  /** Runs `task` on the tree's host, moving the tree to another host when that one fails. */
  async routed<T>(prompt: string, seed: number | undefined, task: (host: Host) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { tree, problem } = this.keys.key(prompt, seed);
    // Every host's slots share the run's one signal: more listeners than Node's default 10 is expected here.
    if (signal) setMaxListeners(0, signal);
    for (;;) {
      const host = this.hostOf(tree, problem, seed);
      try {
        return await host.limiter.run(() => {
          if (host.down) throw new HostDownError(`host ${host.url} is down`);
          return task(host);
        }, signal);
      } catch (error) {
        if (signal?.aborted || !(error instanceof BackendUnreachableError)) throw error;
        this.markDown(host, error);
        if (this.hosts.every((h) => h.down)) throw error instanceof HostDownError ? new BackendUnreachableError('every host is down') : error;
      }
    }
  }

  /** A request without a seed (an L-hat probe) that starts no tree of its own goes to its problem's host. */
  private hostOf(tree: string, problem: string, seed: number | undefined): Host {
    const problemHost = this.problemHost.get(problem);
    if (seed === undefined && !this.treeHost.has(tree) && problemHost?.down === false) return problemHost;
    const assigned = this.treeHost.get(tree);
    if (assigned && !assigned.down) return assigned;
    const host = this.place();
    this.treeHost.set(tree, host);
    this.problemHost.set(problem, host);
    return host;
  }

  private place(): Host {
    const best = bestHost(this.hosts.filter((h) => !h.down));
    if (!best) throw new BackendUnreachableError(`no host left of ${this.hosts.map((h) => h.url).join(', ')}`, 'every host failed; finished requests are stored, rerun to resume');
    best.trees++;
    return best;
  }

  private markDown(host: Host, error: unknown): void {
    if (host.down) return;
    host.down = true;
    const left = this.hosts.filter((h) => !h.down).length;
    this.warn(`host ${host.url} is down (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); ${left === 0 ? 'no host left' : `its trees move to the other ${left}`}`);
  }
}

/** The host where one more tree would wait least: work in flight over capacity (slots x measured rate). */
function bestHost(alive: readonly Host[]): Host | undefined {
  // A host with a free slot first: a tree queued behind a busy host's slots waits while another host idles.
  const free = alive.filter((h) => h.limiter.active + h.limiter.pending < h.slots);
  const up = free.length > 0 ? free : alive;
  const measured = up.map((h) => h.tokensPerSecond).filter((r): r is number => r !== undefined);
  const typical = measured.length > 0 ? measured.reduce((a, b) => a + b, 0) / measured.length : 1;
  let best: Host | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const h of up) {
    const score = (h.limiter.active + h.limiter.pending + 1) / (h.slots * (h.tokensPerSecond ?? typical));
    if (score < bestScore || (score === bestScore && best !== undefined && h.trees < best.trees)) {
      best = h;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Asks every host at once. A host that fails is one warning line and is left out; the run stops
 * (exit 3) only when none is usable. Every usable host must serve the same model (digest), else
 * one seed would give different answers on different hosts.
 */
async function preflight(hosts: Host[], model: string, warn: (line: string) => void): Promise<ModelInfo> {
  const settled = await Promise.allSettled(hosts.map((h) => h.backend.describe(model)));
  const usable: { host: Host; info: ModelInfo }[] = [];
  let firstError: unknown;
  settled.forEach((result, i) => {
    const host = hosts[i]!;
    if (result.status === 'fulfilled') {
      host.digest = result.value.digest;
      return void usable.push({ host, info: result.value });
    }
    if (result.reason instanceof InputError) throw result.reason;
    firstError ??= result.reason;
    host.down = true;
    warn(`host ${host.url} is not usable, continuing without it: ${result.reason instanceof Error ? result.reason.message.split('\n')[0] : String(result.reason)}`);
  });
  const first = usable[0];
  if (!first) throw firstError instanceof Error ? firstError : new BackendUnreachableError(`no host of ${hosts.map((h) => h.url).join(', ')} answered`);
  const other = usable.find((u) => u.info.digest !== first.info.digest);
  if (other) {
    throw new InputError('--host', `expected the same model on every host: ${first.host.url} serves '${model}' as ${first.info.digest}, ${other.host.url} as ${other.info.digest}`);
  }
  return { ...first.info, contextLength: Math.min(...usable.map((u) => u.info.contextLength)) };
}
