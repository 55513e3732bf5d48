import cliProgress from 'cli-progress';
import type { Progress } from '../engine/index.ts';

export interface ProgressDisplay {
  update(progress: Progress): void;
  /** A line that must not be torn by the bar (retries, warnings). */
  log(line: string): void;
  stop(): void;
}

/**
 * On a terminal: a live bar with ETA, tokens/s and cache hits. Elsewhere (CI logs): a plain line
 * at every 10% so logs stay short and readable.
 */
export function progressDisplay(options: { interactive: boolean; write: (line: string) => void }): ProgressDisplay {
  const started = performance.now();
  const rate = (p: Progress): string => {
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? `${Math.round(p.decodedTokens / seconds)}` : '0';
  };
  if (!options.interactive) {
    let lastDecile = -1;
    return {
      update(p) {
        const total = Math.max(1, p.results.total);
        const decile = Math.floor((10 * p.results.done) / total);
        if (decile === lastDecile || p.results.done === 0) return;
        lastDecile = decile;
        options.write(
          `progress ${p.results.done}/${p.results.total} results, ${p.trees.done}/${p.trees.total} trees, ${p.requests} requests, ${p.cacheHits} cached, ${rate(p)} tokens/s`,
        );
      },
      log: options.write,
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {value}/{total} results | ETA {etaText} | {tokensPerSecond} tok/s | {cacheHits} cached | {requests} requests',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  return {
    update(p) {
      // Our own ETA: cli-progress prints "NF" until the first result lands.
      const elapsed = (performance.now() - started) / 1000;
      const etaText = p.results.done > 0 ? `${Math.max(0, Math.round((elapsed * (p.results.total - p.results.done)) / p.results.done))}s` : '…';
      const payload = { tokensPerSecond: rate(p), cacheHits: p.cacheHits, requests: p.requests, etaText };
      if (!begun) {
        bar.start(p.results.total, p.results.done, payload);
        begun = true;
      } else {
        bar.setTotal(p.results.total);
        bar.update(p.results.done, payload);
      }
    },
    log(line) {
      if (begun) process.stderr.write('\r\x1b[K');
      options.write(line);
    },
    stop() {
      if (begun) bar.stop();
    },
  };
}
