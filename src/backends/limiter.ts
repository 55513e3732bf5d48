/**
 * A FIFO concurrency limit per backend: at most `concurrency` tasks run at once, the rest wait in
 * arrival order (the engine submits nodes in the order that reuses the server's KV cache, so the
 * queue must not reorder them). Set it to the server's OLLAMA_NUM_PARALLEL: more only queues on
 * the server, where it cannot be cancelled and can trip its queue limit (503).
 *
 * Kept rather than a library: the host pool needs FIFO order, a queued waiter that leaves on its
 * abort signal, and the active/pending counts it balances on; p-limit has no per-task signal and
 * p-queue would be a dependency for these seventy lines. The engine's slot gate (engine/) sits
 * above backends/ in the stage order, so the pool cannot use it.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly active: number;
  readonly pending: number;
}

export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  let active = 0;
  const queue: { start: () => void; signal?: AbortSignal | undefined; cancel: (reason: unknown) => void }[] = [];

  const next = (): void => {
    while (active < concurrency && queue.length > 0) {
      const waiter = queue.shift()!;
      if (waiter.signal?.aborted) {
        waiter.cancel(waiter.signal.reason);
        continue;
      }
      waiter.start();
    }
  };

  return {
    get active() {
      return active;
    },
    get pending() {
      return queue.length;
    },
    run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const onAbort = (): void => {
          const at = queue.indexOf(waiter);
          if (at >= 0) {
            queue.splice(at, 1);
            reject(signal?.reason);
          }
        };
        const waiter = {
          signal,
          cancel: reject,
          start: () => {
            signal?.removeEventListener('abort', onAbort);
            active++;
            let settled: Promise<T>;
            try {
              settled = task();
            } catch (error) {
              settled = Promise.reject(error);
            }
            settled.then(resolve, reject).finally(() => {
              active--;
              next();
            });
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
        next();
      });
    },
  };
}
