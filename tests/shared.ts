import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `../shared` beside the repository: the datasets and reference documents, absent on a fresh clone. */
export const sharedDir = fileURLToPath(new URL('../../shared/', import.meta.url));

/**
 * A test title that says why the test was skipped when a file of `../shared` it needs is absent,
 * so a skipped run reads "skipped: needs ../shared/..." instead of skipping in silence.
 */
export function needsShared(title: string, file: string | URL): string {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  if (existsSync(path)) return title;
  const shown = path.startsWith(sharedDir) ? `../shared/${path.slice(sharedDir.length)}` : path;
  return `${title} (skipped: needs ${shown}, which is absent)`;
}
