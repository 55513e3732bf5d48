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
  job?: Job;
  timer?: NodeJS.Timeout;
}

const WORKER_URL = new URL('./worker.mjs', import.meta.url);
export const DEFAULT_TIMEOUT_MS = 5000;
/** Heap cap of a grading worker (the engine and the TypeScript loader need about 150 MB). */
const WORKER_HEAP_MB = 1024;

export function createGrader(options: GraderOptions = {}): Grader {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const size = Math.max(1, Math.floor(options.workers ?? 1));
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;

  function finish(slot: Slot, result: GradeResult): void {
    const job = slot.job;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    job?.resolve(result);
  }

  function spawn(slot?: Slot): Slot {
    // A memory cap, so a runaway comparison kills its worker rather than the run.
    const worker = new Worker(options.workerUrl ?? WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
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
      pump();
    });
    const onFailure = (detail: string): void => {
      if (fresh.worker !== worker || closed) return;
      if (!fresh.ready) {
        // The worker never started: an installation problem, not a verdict. Fail loudly.
        const at = slots.indexOf(fresh);
        if (at < 0) return;
        slots.splice(at, 1);
        if (slots.length === 0) {
          for (const job of queue.splice(0)) job.reject(new Error(`grading worker failed to start: ${detail}`));
        }
        return;
      }
      // A worker that died during a comparison (e.g. out of memory on hostile input): that
      // comparison is not equivalent; a new worker serves the rest.
      finish(fresh, { equivalent: false, method: 'worker-error' });
      spawn(fresh);
      pump();
    };
    worker.on('error', (error: Error) => onFailure(error.message));
    worker.on('exit', (code: number) => onFailure(`exit code ${code}`));
    return fresh;
  }

  function pump(): void {
    for (const slot of slots) {
      if (!slot.ready || slot.job) continue;
      const job = queue.shift();
      if (!job) break;
      slot.job = job;
      slot.worker.postMessage({ id: job.id, gold: job.gold, pred: job.pred });
      slot.timer = setTimeout(() => {
        if (slot.job !== job) return;
        const old = slot.worker;
        finish(slot, { equivalent: false, method: 'timeout' });
        spawn(slot);
        void old.terminate();
        pump();
      }, timeoutMs);
    }
    // Workers keep the process alive only while there is work for them.
    const busy = queue.length > 0 || slots.some((s) => s.job);
    for (const slot of slots) {
      if (busy) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  async function gradeDetailed(gold: string, pred: string): Promise<GradeResult> {
    const fast = equivalentSync(gold, pred);
    if (fast !== undefined) return { equivalent: fast, method: 'exact' };
    if (closed) return { equivalent: false, method: 'worker-error' };
    if (slots.length === 0) for (let k = 0; k < size; k++) slots.push(spawn());
    return new Promise<GradeResult>((resolve, reject) => {
      queue.push({ id: nextId++, gold, pred, resolve, reject });
      pump();
    });
  }

  return {
    gradeDetailed,
    async grade(gold, pred) {
      return (await gradeDetailed(gold, pred)).equivalent;
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.resolve({ equivalent: false, method: 'worker-error' });
      await Promise.all(
        slots.splice(0).map(async (slot) => {
          finish(slot, { equivalent: false, method: 'worker-error' });
          await slot.worker.terminate();
        }),
      );
    },
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
