import { readFileSync } from 'node:fs';

/** thinkprobe's own version, recorded with every run and golden file. */
export const version: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
