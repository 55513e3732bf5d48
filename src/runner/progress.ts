import type { Progress } from '../engine/index.ts';

export interface ProgressDisplay {
  update(progress: Progress): void;
  /** A stage begins (generation, L-hat probes, a property case with its parameter, golden): it gets a labelled line, its count restarts. */
  stage(label: string): void;
  /** A line that must not be torn by the bar (retries, warnings). */
  log(line: string): void;
  /** Clears the bar for good: nothing is drawn after this (not even by a late update). */
  stop(): void;
}

/** Where the live bar goes: a terminal stream (stderr), or a fake one with isTTY and columns in tests. */
export interface BarStream {
  write(text: string): unknown;
  columns?: number;
}

export interface ProgressOptions {
  interactive: boolean;
  write: (line: string) => void;
  /** The terminal the live bar draws on (default process.stderr). */
  stream?: BarStream;
  now?: () => number;
}

const BAR_WIDTH = 24;
/** Redraws at most this often: a fast run must not flood the terminal. */
const REDRAW_MS = 80;

function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.round((BAR_WIDTH * done) / total)) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
}

/** The bar's one line, cut to the terminal's width: a wrapped line cannot be cleared with \r and would tear the table printed after it. */
export function barLine(stage: string, p: Progress | undefined, elapsedMs: number, columns: number): string {
  let text = ` ${stage}`;
  if (p) {
    const seconds = elapsedMs / 1000;
    const eta = p.results.done > 0 ? `${Math.max(0, Math.round((seconds * (p.results.total - p.results.done)) / p.results.done))}s` : '…';
    const rate = seconds > 0 ? Math.round(p.decodedTokens / seconds) : 0;
    text += ` ${bar(p.results.done, p.results.total)} ${p.results.done}/${p.results.total} results | ETA ${eta} | ${rate} tok/s | ${p.cacheHits} cached | ${p.requests} requests`;
  } else {
    text += ' …';
  }
  const width = Math.max(10, columns - 1);
  return [...text].length > width ? `${[...text].slice(0, width - 1).join('')}…` : text;
}

function plainDisplay(options: ProgressOptions, now: () => number): ProgressDisplay {
  let started = now();
  let lastDecile = -1;
  let stopped = false;
  return {
    update(p) {
      if (stopped) return;
      const total = Math.max(1, p.results.total);
      const decile = Math.floor((10 * p.results.done) / total);
      if (decile === lastDecile || p.results.done === 0) return;
      lastDecile = decile;
      const seconds = (now() - started) / 1000;
      const rate = seconds > 0 ? Math.round(p.decodedTokens / seconds) : 0;
      options.write(`progress ${p.results.done}/${p.results.total} results, ${p.trees.done}/${p.trees.total} trees, ${p.requests} requests, ${p.cacheHits} cached, ${rate} tokens/s`);
    },
    stage(label) {
      if (stopped) return;
      lastDecile = -1;
      started = now();
      options.write(`stage ${label}`);
    },
    log: options.write,
    stop() {
      stopped = true;
    },
  };
}

/**
 * On a terminal: one live line (stage, bar, ETA, tokens/s, cache hits), drawn only in response to
 * progress (no timer that could draw after the run ended), cleared before every other line.
 * Elsewhere (CI logs): a `stage …` line per stage and a plain line at every 10%.
 */
export function progressDisplay(options: ProgressOptions): ProgressDisplay {
  const now = options.now ?? (() => performance.now());
  if (!options.interactive) return plainDisplay(options, now);
  const stream: BarStream = options.stream ?? process.stderr;
  let started = now();
  let label = 'generation';
  let last: Progress | undefined;
  let drawn = false;
  let drawnAt = -Infinity;
  let stopped = false;
  const clear = (): void => {
    if (drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  const draw = (force: boolean): void => {
    if (stopped) return;
    const t = now();
    if (!force && t - drawnAt < REDRAW_MS) return;
    drawnAt = t;
    stream.write(`\r\x1b[K${barLine(label, last, t - started, stream.columns ?? 80)}`);
    drawn = true;
  };
  return {
    update(p) {
      last = p;
      draw(p.results.done === p.results.total);
    },
    stage(next) {
      label = next;
      last = undefined;
      started = now();
      draw(true);
    },
    log(line) {
      const redraw = drawn;
      clear();
      options.write(line);
      if (redraw) draw(true);
    },
    stop() {
      clear();
      stopped = true;
    },
  };
}
