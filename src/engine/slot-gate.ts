/**
 * Keeps one worker's request from evicting another worker's KV-cache slot.
 *
 * Ollama's multi-user cache (and the simulator, which follows it) reuses a slot in place only when
 * the slot's whole content is a prefix of the new prompt. Any other request (a "jump": the first
 * request of a new tree, a branch off the trunk, the trunk again after a branch) copies the longest
 * shared prefix found in any slot into the least recently used idle slot. If that is the slot of a
 * worker between two requests of its own tree, that worker has to prefill its whole trace again.
 * So a worker jumps only when its own slot is the least recently used of all working workers'
 * slots (every other worker has started a request since this worker started its last one): then
 * the slot the server overwrites is its own. The worker whose last request is oldest can always
 * go, so jumps never deadlock; after `maxWaitMs` a jump goes anyway (a slot idling while its worker
 * waits costs more than the occasional re-prefill).
 */
export class SlotGate {
  private readonly workers = new Map<number, { active: boolean; lastStart: number | undefined }>();

  constructor(
    /** Long enough for a gap between another worker's requests to close, short enough not to idle a slot. */
    private readonly maxWaitMs = 30,
  ) {}

  private state(id: number) {
    let s = this.workers.get(id);
    if (!s) {
      s = { active: true, lastStart: undefined };
      this.workers.set(id, s);
    }
    return s;
  }

  requestStarted(id: number): void {
    const s = this.state(id);
    s.active = true;
    s.lastStart = performance.now();
  }

  /** The worker has no more work: its slot may be taken. */
  retire(id: number): void {
    this.state(id).active = false;
  }

  private ownSlotIsOldest(id: number): boolean {
    const mine = this.state(id).lastStart;
    if (mine === undefined) return true;
    for (const [other, s] of this.workers) {
      if (other === id || !s.active || s.lastStart === undefined) continue;
      // A busy slot is safe only until its request ends, and the server frees it before the client
      // sees the end: so only a slot used after this worker's own counts as safe.
      if (s.lastStart <= mine) return false;
    }
    return true;
  }

  /** Waits until a jump by this worker would overwrite its own slot rather than another worker's. */
  async beforeJump(id: number, signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    while (!this.ownSlotIsOldest(id) && performance.now() - started < this.maxWaitMs && !signal?.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}
