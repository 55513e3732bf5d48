import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SimChild {
  url: string;
  child: ChildProcess;
}

/**
 * `thinkprobe sim --port 0 …` in its own process, so a benchmark measures the harness and not the
 * simulator; resolves with the URL it prints once it listens.
 */
export async function startSimChild(args: readonly string[]): Promise<SimChild> {
  const bin = fileURLToPath(new URL('../bin/thinkprobe.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'sim', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  // A crashed benchmark must not leave a simulator behind.
  process.once('exit', () => child.kill('SIGKILL'));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`thinkprobe sim exited with ${code}`)));
  });
  return { url, child };
}
