/**
 * KV-cache slots as Ollama's runner keeps them (OLLAMA_NUM_PARALLEL): each slot holds the token
 * sequence it last processed (prompt + output). A request takes the idle slot sharing the longest
 * token prefix with its prompt and prefills only the rest (see `lease`); at least one prompt token
 * is always evaluated, as a real runner needs logits for the last position.
 * Requests beyond the slot count wait in a FIFO queue; beyond `maxQueue` waiting they are refused
 * (Ollama: 503, OLLAMA_MAX_QUEUE default 512).
 */
import { HttpError, OllamaMessages } from './http-error.ts';

export interface Slot {
  readonly id: number;
  tokens: readonly string[];
  busy: boolean;
  lastUsed: number;
}

export interface Lease {
  slot: Slot;
  /** Prompt tokens served from the slot's cache. */
  cached: number;
}

interface Waiter {
  prompt: readonly string[];
  resolve: (lease: Lease) => void;
  reject: (error: Error) => void;
}

export function sharedPrefix(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export class SlotPool {
  readonly slots: Slot[];
  private readonly queue: Waiter[] = [];
  private clock = 0;

  constructor(
    count: number,
    private readonly maxQueue = 512,
  ) {
    this.slots = Array.from({ length: count }, (_, id) => ({ id, tokens: [], busy: false, lastUsed: 0 }));
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves when a slot is leased; rejects with 503 when the queue is full, or when `signal` aborts while waiting. */
  acquire(prompt: readonly string[], signal?: AbortSignal): Promise<Lease> {
    const idle = this.slots.filter((slot) => !slot.busy);
    if (idle.length > 0 && this.queue.length === 0) return Promise.resolve(this.lease(idle, prompt));
    if (this.queue.length >= this.maxQueue) return Promise.reject(new HttpError(503, OllamaMessages.busy));
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = { prompt, resolve, reject };
      this.queue.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.queue.indexOf(waiter);
          if (index !== -1) {
            this.queue.splice(index, 1);
            reject(new Error('request canceled while queued'));
          }
        },
        { once: true },
      );
    });
  }

  /** Returns the slot holding `tokens` (what its cache now contains) and serves the queue. */
  release(slot: Slot, tokens: readonly string[]): void {
    slot.tokens = tokens;
    slot.busy = false;
    const waiter = this.queue.shift();
    if (waiter) waiter.resolve(this.lease([slot], waiter.prompt));
  }

  reset(): void {
    for (const slot of this.slots) if (!slot.busy) slot.tokens = [];
  }

  /**
   * Ollama's choice with a multi-user cache (findBestCacheSlot): an idle slot whose whole content
   * the prompt extends is reused; otherwise the least recently used idle slot is taken and the
   * longest shared prefix held by any slot is copied into it, so other slots stay warm.
   */
  private lease(candidates: Slot[], prompt: readonly string[]): Lease {
    let longest: Slot | undefined;
    let longestShared = -1;
    for (const slot of this.slots) {
      const shared = sharedPrefix(slot.tokens, prompt);
      if (shared > longestShared) {
        longest = slot;
        longestShared = shared;
      }
    }
    let chosen: Slot;
    if (longest && !longest.busy && longestShared === longest.tokens.length && candidates.includes(longest)) {
      chosen = longest;
    } else {
      chosen = candidates.reduce((oldest, slot) => (slot.lastUsed < oldest.lastUsed ? slot : oldest));
    }
    chosen.busy = true;
    chosen.lastUsed = ++this.clock;
    return { slot: chosen, cached: Math.max(0, Math.min(longestShared, prompt.length - 1)) };
  }
}
