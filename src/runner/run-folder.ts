import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a run that decide its results: the same configuration resumes the same run. */
export function configHash(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 10);
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
}

/**
 * `reports/<suite>/<run-id>/`. A run folder without `summary.json` was interrupted: the same
 * configuration resumes it (its store replays every finished request) unless `fresh` is set.
 */
export function chooseRunFolder(options: { out: string; suite: string; hash: string; fresh: boolean; now?: Date }): { runId: string; dir: string; resumed: boolean } {
  const parent = join(options.out, options.suite);
  if (!options.fresh && existsSync(parent)) {
    const unfinished = readdirSync(parent)
      .filter((name) => name.endsWith(`-${options.hash}`) && existsSync(join(parent, name, 'store.sqlite')) && !existsSync(join(parent, name, 'summary.json')))
      .sort();
    const latest = unfinished.at(-1);
    if (latest) return { runId: latest, dir: join(parent, latest), resumed: true };
  }
  // A run id is a name, not a clock reading: a second run started within the same second (a
  // script, a --fresh rerun) takes the next free second instead of reusing the first run's folder.
  let at = (options.now ?? new Date()).getTime();
  let runId = `${timestamp(new Date(at))}-${options.hash}`;
  while (existsSync(join(parent, runId))) {
    at += 1000;
    runId = `${timestamp(new Date(at))}-${options.hash}`;
  }
  return { runId, dir: join(parent, runId), resumed: false };
}
