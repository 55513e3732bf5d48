/** `thinkprobe sim` as a process: one line on start, Ollama's API, clean exit on SIGTERM, exit 2 on bad flags. */
import { describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ollama } from 'ollama';

const bin = fileURLToPath(new URL('../../bin/thinkprobe.js', import.meta.url));

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('thinkprobe sim', () => {
  it('prints one line, serves Ollama clients, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'sim', '--port', '0', '--parallel', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });
    const reply = await new Ollama({ host: url }).generate({ model: 'sim-fast', prompt: 'What is 2 + 2?', options: { seed: 1, num_predict: 5 } });
    expect(reply.done).toBe(true);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    // "What is 2 + 2?" is in no generated family and there is no --answers: the one line saying so, nothing else.
    expect(stderr).toMatch(/^thinkprobe sim: sim-fast has no answer for "What is 2 \+ 2\?": it answers with a guess [^\n]*\n$/);
  });

  it('rejects bad flags with exit code 2 and one line naming the flag', async () => {
    for (const [args, mention] of [
      [['--port', 'abc'], '--port'],
      [['--parallel', '0'], '--parallel'],
      [['--faults', 'http500=0.1,boom=1'], 'boom=1'],
      [['--latency', 'decode=fast'], 'decode=fast'],
    ] as const) {
      const result = await run('sim', ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(mention);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
  });
});
