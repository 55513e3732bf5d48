import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, and the CLI a user runs (bin/thinkprobe.js, through tsx in a clone). */
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = join(root, 'bin/thinkprobe.js');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `thinkprobe ARGS` in `cwd` as CI would (CI=true, no OLLAMA_HOST from the caller's shell). */
export function thinkprobe(args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: 'true', OLLAMA_HOST: '' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}
