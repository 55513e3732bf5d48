/**
 * Which stored completion a trace's tokens came from, so a result row can keep its trace as
 * references ("the first n tokens of completion K") instead of a second copy of every token.
 *
 * The engine builds a trace's generated segments from stream chunks, and a chunk's tokens are the
 * very objects the store was given (a put) or handed out (a hit) for that chunk's key. Every run
 * of them starts at a completion's first token: a stream starts at its first chunk, and a cut
 * keeps a prefix. So only each completion's first token is registered: one WeakMap entry per
 * completion, none per token, and nothing kept alive that the run has dropped.
 */
export interface TokenRun {
  key: string;
  /** The first `count` tokens of the completion stored under `key`. */
  count: number;
}

interface Source {
  key: string;
  tokens: readonly unknown[];
  /** The length when registered: a caller that pushed more onto the array cannot stretch a run. */
  length: number;
}

export class TokenSources {
  private readonly firsts = new WeakMap<object, Source>();
  /** Keys written more than once by this process: the stored tokens may not be a trace's. */
  private readonly rewritten = new Set<string>();

  /** `tokens` are what the store holds under `key` (encoded from them, or decoded into them). */
  register(key: string, tokens: readonly unknown[]): void {
    const first = tokens[0];
    if (typeof first === 'object' && first !== null) this.firsts.set(first, { key, tokens, length: tokens.length });
  }

  /** A later put of `key` replaces what earlier references would read: they must not be made. */
  rewrite(key: string): void {
    this.rewritten.add(key);
  }

  /** `tokens` as runs of registered completions, or undefined when any token is not in one. */
  runsOf(tokens: readonly unknown[]): TokenRun[] | undefined {
    const runs: TokenRun[] = [];
    let at = 0;
    while (at < tokens.length) {
      const token = tokens[at];
      const source = typeof token === 'object' && token !== null ? this.firsts.get(token) : undefined;
      if (source === undefined || this.rewritten.has(source.key)) return undefined;
      const own = source.tokens;
      let n = 1;
      while (n < source.length && at + n < tokens.length && tokens[at + n] === own[n]) n++;
      runs.push({ key: source.key, count: n });
      at += n;
    }
    return runs;
  }
}
