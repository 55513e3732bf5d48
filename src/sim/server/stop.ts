/**
 * Stop strings over a token stream, with the semantics of Ollama's runner (FindStop, TruncateStop,
 * ContainsStopSuffix): generated pieces are held back while the text so far ends with a prefix of a
 * stop string; when a stop string appears, the text from its start on is removed, pieces that lose
 * all their text are dropped (with their logprob entries), and a piece cut in the middle keeps its
 * entry (whose token text is then longer than what was returned, exactly as Ollama does).
 */

export interface Piece<T> {
  text: string;
  /** Whatever travels with the piece (the generated token and its logprobs). */
  item: T;
}

export interface PushResult<T> {
  /** Pieces to send now, in order; the last may be truncated when `stopped`. */
  emit: Piece<T>[];
  /** A stop string matched: the generation ends with done_reason "stop". */
  stopped: boolean;
  /** Only when stopped: whether the last emitted piece lost part of its text. */
  truncated: boolean;
}

export class StopMatcher<T> {
  private pending: Piece<T>[] = [];
  private pendingText = '';

  constructor(private readonly stops: readonly string[]) {}

  push(text: string, item: T): PushResult<T> {
    this.pending.push({ text, item });
    this.pendingText += text;
    if (this.stops.length === 0) return { emit: this.takeAll(), stopped: false, truncated: false };

    for (const stop of this.stops) {
      const index = this.pendingText.indexOf(stop);
      if (index === -1) continue;
      const emit: Piece<T>[] = [];
      let truncated = false;
      let start = 0;
      for (const piece of this.pending) {
        if (start >= index) break;
        let end = start + piece.text.length;
        if (end > index) {
          end = index;
          truncated = true;
        }
        emit.push({ text: this.pendingText.slice(start, end), item: piece.item });
        start = end;
      }
      this.pending = [];
      this.pendingText = '';
      return { emit, stopped: true, truncated };
    }

    if (this.endsWithStopPrefix()) return { emit: [], stopped: false, truncated: false };
    return { emit: this.takeAll(), stopped: false, truncated: false };
  }

  /** Everything still held back (the generation ended for another reason). */
  flush(): Piece<T>[] {
    return this.takeAll();
  }

  private endsWithStopPrefix(): boolean {
    const text = this.pendingText;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length, text.length); length > 0; length--) {
        if (text.endsWith(stop.slice(0, length))) return true;
      }
    }
    return false;
  }

  private takeAll(): Piece<T>[] {
    const out = this.pending;
    this.pending = [];
    this.pendingText = '';
    return out;
  }
}
