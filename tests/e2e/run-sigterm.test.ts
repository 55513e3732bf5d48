/**
 * SIGTERM (a CI runner or supervisor stopping the job) ends `thinkprobe run` like Ctrl-C: after the
 * requests in flight, the run resumable. But it exits 143 (128 + 15) and says it was terminated.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startToyOllama, type ToyOllama } from '../fixtures/toy-ollama.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/thinkprobe.js');

let toy: ToyOllama;
beforeAll(async () => {
  toy = await startToyOllama({ delayMs: 100 });
});
afterAll(async () => {
  await toy.close();
});

function run(args: string[], cwd: string, terminate: boolean): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: 'true', OLLAMA_HOST: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Terminated once the run is under way: a few generate requests have reached the server.
    const start = toy.generateRequests;
    const poll = setInterval(() => {
      if (terminate && !sent && toy.generateRequests >= start + 3) {
        sent = true;
        child.kill('SIGTERM');
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('SIGTERM', () => {
  it('exits 143 with its own wording, and the rerun resumes the run', async () => {
    const work = mkdtempSync(join(tmpdir(), 'thinkprobe-sigterm-'));
    const suite = join(work, 'slow.json');
    writeFileSync(
      suite,
      JSON.stringify({
        name: 'slow',
        problems: Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, question: `What is ${i} + 17?`, answer: String(i + 17) })),
        maxThinkingTokens: 200,
        answerTokens: 32,
        interventions: [{ type: 'baseline' }],
        checks: [{ type: 'accuracyAtLeast', intervention: 'baseline', min: 0 }],
      }),
    );
    const args = ['run', suite, '--model', 'qwq', '--host', toy.url, '--no-html', '--reporter', 'silent', '--out', join(work, 'out')];
    const stopped = await run(args, work, true);
    expect(stopped.code, stopped.stderr + stopped.stdout).toBe(143);
    expect(stopped.stderr).toContain('terminated (SIGTERM): finishing requests in flight');
    expect(stopped.stderr).not.toContain('Ctrl-C again');
    expect(stopped.stderr).toMatch(/terminated: finished work is kept in .*; rerun the same command to resume/);
    const runs = readdirSync(join(work, 'out', 'slow'));
    expect(runs).toHaveLength(1);
    const runDir = join(work, 'out', 'slow', runs[0] ?? '');
    expect(existsSync(join(runDir, 'summary.json'))).toBe(false);

    const resumed = await run(args, work, false);
    expect(resumed.code, resumed.stderr).toBe(0);
    // The same run folder, finished: the rerun resumed it instead of starting another.
    expect(resumed.stdout.trim().split('\n').pop()).toBe(runDir);
    expect(readdirSync(join(work, 'out', 'slow'))).toHaveLength(1);
    expect(existsSync(join(runDir, 'summary.json'))).toBe(true);
  }, 120_000);
});
