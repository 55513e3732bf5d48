/**
 * Runs answer comparisons with a time bound: the exact fast path on the calling thread, the
 * symbolic engine in worker threads. A comparison that exceeds the bound counts as not
 * equivalent and its worker is replaced (a synchronous engine call cannot be interrupted).
 */
import { Worker } from 'node:worker_threads';
import { equivalentSync } from './equivalence.ts';

export type GradeMethod = 'exact' | 'symbolic' | 'timeout' | 'worker-error';

export interface GradeResult {
  equivalent: boolean;
  /** How the verdict was reached: exact fast path, symbolic engine, or out of time. */
  method: GradeMethod;
}

export interface GraderOptions {
  /** Time bound per symbolic comparison, in ms (worker start-up not included). Default 5000. */
  timeoutMs?: number;
  /** Worker threads; default 1. */
  workers?: number;
  /** @internal The worker script; tests substitute broken workers. */
  workerUrl?: URL;
}

export interface Grader {
  grade(gold: string, pred: string): Promise<boolean>;
  gradeDetailed(gold: string, pred: string): Promise<GradeResult>;
  /** Ends the workers; pending comparisons resolve as not equivalent. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  gold: string;
  pred: string;
  resolve: (result: GradeResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job | undefined;
  timer?: NodeJS.Timeout | undefined;
}

/** The state of one grader: its workers, the jobs waiting for one, and its settings. */
interface Pool {
  timeoutMs: number;
  size: number;
  workerUrl: URL;
  queue: Job[];
  slots: Slot[];
  nextId: number;
  closed: boolean;
}

const WORKER_URL = new URL('./worker.mjs', import.meta.url);
export const DEFAULT_TIMEOUT_MS = 5000;
/** Heap cap of a grading worker (the engine and the TypeScript loader need about 150 MB). */
const WORKER_HEAP_MB = 1024;

function finish(slot: Slot, result: GradeResult): void {
  const job = slot.job;
  if (slot.timer) clearTimeout(slot.timer);
  slot.job = undefined;
  slot.timer = undefined;
  job?.resolve(result);
}

/** Starts a worker into `slot` (a new slot when none is given). */
function spawn(pool: Pool, slot?: Slot): Slot {
  // A memory cap, so a runaway comparison kills its worker rather than the run.
  const worker = new Worker(pool.workerUrl, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
  const fresh: Slot = slot ?? { worker, ready: false };
  fresh.worker = worker;
  fresh.ready = false;
  worker.unref();
  worker.on('message', (message: { ready?: boolean; id?: number; equivalent?: boolean }) => {
    if (fresh.worker !== worker) return;
    if (message.ready) {
      fresh.ready = true;
    } else if (fresh.job && message.id === fresh.job.id) {
      finish(fresh, { equivalent: message.equivalent === true, method: 'symbolic' });
    }
    pump(pool);
  });
  worker.on('error', (error: Error) => onWorkerFailure(pool, fresh, worker, error.message));
  worker.on('exit', (code: number) => onWorkerFailure(pool, fresh, worker, `exit code ${code}`));
  return fresh;
}

function onWorkerFailure(pool: Pool, slot: Slot, worker: Worker, detail: string): void {
  if (slot.worker !== worker || pool.closed) return;
  if (!slot.ready) {
    // The worker never started: an installation problem, not a verdict. Fail loudly.
    const at = pool.slots.indexOf(slot);
    if (at < 0) return;
    pool.slots.splice(at, 1);
    if (pool.slots.length === 0) {
      for (const job of pool.queue.splice(0)) job.reject(new Error(`grading worker failed to start: ${detail}`));
    }
    return;
  }
  // A worker that died during a comparison (e.g. out of memory on hostile input): that
  // comparison is not equivalent; a new worker serves the rest.
  finish(slot, { equivalent: false, method: 'worker-error' });
  spawn(pool, slot);
  pump(pool);
}

/** Past the time bound the comparison is not equivalent and its worker is replaced. */
function startTimer(pool: Pool, slot: Slot, job: Job): void {
  slot.timer = setTimeout(() => {
    if (slot.job !== job) return;
    const old = slot.worker;
    finish(slot, { equivalent: false, method: 'timeout' });
    spawn(pool, slot);
    void old.terminate();
    pump(pool);
  }, pool.timeoutMs);
}

/** Hands waiting jobs to idle ready workers. */
function pump(pool: Pool): void {
  for (const slot of pool.slots) {
    if (!slot.ready || slot.job) continue;
    const job = pool.queue.shift();
    if (!job) break;
    slot.job = job;
    slot.worker.postMessage({ id: job.id, gold: job.gold, pred: job.pred });
    startTimer(pool, slot, job);
  }
  // Workers keep the process alive only while there is work for them.
  const busy = pool.queue.length > 0 || pool.slots.some((s) => s.job);
  for (const slot of pool.slots) {
    if (busy) slot.worker.ref();
    else slot.worker.unref();
  }
}

async function gradeInPool(pool: Pool, gold: string, pred: string): Promise<GradeResult> {
  const fast = equivalentSync(gold, pred);
  if (fast !== undefined) return { equivalent: fast, method: 'exact' };
  if (pool.closed) return { equivalent: false, method: 'worker-error' };
  if (pool.slots.length === 0) for (let k = 0; k < pool.size; k++) pool.slots.push(spawn(pool));
  return new Promise<GradeResult>((resolve, reject) => {
    pool.queue.push({ id: pool.nextId++, gold, pred, resolve, reject });
    pump(pool);
  });
}

async function closePool(pool: Pool): Promise<void> {
  pool.closed = true;
  for (const job of pool.queue.splice(0)) job.resolve({ equivalent: false, method: 'worker-error' });
  await Promise.all(
    pool.slots.splice(0).map(async (slot) => {
      finish(slot, { equivalent: false, method: 'worker-error' });
      await slot.worker.terminate();
    }),
  );
}

export function createGrader(options: GraderOptions = {}): Grader {
  const pool: Pool = {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    size: Math.max(1, Math.floor(options.workers ?? 1)),
    workerUrl: options.workerUrl ?? WORKER_URL,
    queue: [],
    slots: [],
    nextId: 0,
    closed: false,
  };
  return {
    gradeDetailed: (gold, pred) => gradeInPool(pool, gold, pred),
    async grade(gold, pred) {
      return (await gradeInPool(pool, gold, pred)).equivalent;
    },
    close: () => closePool(pool),
  };
}

let shared: Grader | undefined;

/** The process-wide grader behind `isEquivalent`; its idle workers never keep the process alive. */
export function sharedGrader(): Grader {
  shared ??= createGrader();
  return shared;
}

/** Equivalence with the fast path first and the symbolic engine (bounded, off-thread) after. */
export async function isEquivalent(gold: string, pred: string): Promise<boolean> {
  // The shared grader only starts a worker the first time the fast path cannot decide.
  return sharedGrader().grade(gold, pred);
}
