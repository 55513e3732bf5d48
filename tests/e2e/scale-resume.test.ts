/**
 * kill -9 of thinkprobe at a random point of a run on three hosts: the rerun (with the hosts named
 * in another order, from OLLAMA_HOST) finds the same run, finishes it, and its results equal an
 * uninterrupted three-host run's, field by field (costs included; only wall times differ), and so
 * do its check verdicts.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../src/sim/server/index.ts';
import { outcomes, simHosts } from './scale-helpers.ts';

/** Every field of every result row, wall times left out (they are timings, not results). */
function rows(runDir: string): unknown[] {
  return readFileSync(join(runDir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { key: string; cost: { tree: { wallMs?: number }; alone: { wallMs?: number } } })
    .map((row) => {
      delete row.cost.tree.wallMs;
      delete row.cost.alone.wallMs;
      return row;
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

function verdicts(runDir: string): unknown {
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { checks: { name: string; verdict: string; summary: string }[]; verdict: unknown };
  return { checks: summary.checks.map((c) => [c.name, c.verdict, c.summary]), verdict: summary.verdict };
}

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/thinkprobe.js');
const suite = join(root, 'tests/e2e/fixtures/run-cli/small.yaml');

function thinkprobe(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, CI: 'true', OLLAMA_HOST: '', ...env } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('kill -9 during a three-host run', () => {
  let hosts: SimServer[] = [];
  beforeAll(async () => {
    hosts = await simHosts(suite, 3, { parallel: 2, latency: 'decode=0.05ms' });
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.close()));
  });

  it('resumes on the same hosts in another order and matches an uninterrupted run', async () => {
    const work = mkdtempSync(join(tmpdir(), 'tp-scale-resume-'));
    const list = hosts.map((h) => `${h.url}#2`);
    const args = (out: string, reporter = 'silent'): string[] => ['run', suite, '--model', 'sim-qwq', '--no-html', '--reporter', reporter, '--out', out];

    const full = await thinkprobe([...args(join(work, 'full')), '--host', list.join(',')]);
    expect(full.code).toBe(0);
    const fullDir = full.stdout.trim().split('\n').at(-1)!;

    const out = join(work, 'killed');
    // A random point between a tenth and nine tenths of the results (printed, to replay a failure).
    const at = 0.1 + 0.8 * Math.random();
    console.log(`scale-resume: kill -9 after ${(at * 100).toFixed(0)}% of the results`);
    let killedAt = -1;
    const signal = await new Promise<NodeJS.Signals | null>((done) => {
      // Progress lines come with the default reporter (plain under CI). Repeated --host flags this time; the rerun below names the hosts through OLLAMA_HOST.
      const child = spawn(process.execPath, [bin, ...args(out, 'default'), ...list.flatMap((h) => ['--host', h])], { cwd: root, env: { ...process.env, CI: 'true', OLLAMA_HOST: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        for (const match of text.matchAll(/progress (\d+)\/(\d+) results/g)) {
          const doneCount = Number(match[1]);
          const total = Number(match[2]);
          if (doneCount >= total * at && doneCount < total && child.exitCode === null && !child.killed) {
            killedAt = doneCount;
            child.kill('SIGKILL');
          }
        }
      });
      child.on('exit', (_code, sig) => done(sig));
    });
    expect(signal).toBe('SIGKILL');
    expect(killedAt).toBeGreaterThan(0);
    const runs = readdirSync(join(out, 'small'));
    expect(runs).toHaveLength(1);
    const runDir = join(out, 'small', runs[0]!);
    expect(existsSync(join(runDir, 'summary.json'))).toBe(false);

    const resumed = await thinkprobe(args(out), { OLLAMA_HOST: [...list].reverse().join(',') });
    expect(resumed.code).toBe(0);
    // The same run folder: the run's identity does not depend on the host list or its order.
    expect(resumed.stdout.trim().split('\n').at(-1)).toBe(runDir);
    expect(outcomes(runDir)).toEqual(outcomes(fullDir));
    const resumedRows = rows(runDir);
    expect(resumedRows.length).toBeGreaterThan(0);
    expect(resumedRows).toEqual(rows(fullDir));
    expect(verdicts(runDir)).toEqual(verdicts(fullDir));
  }, 300_000); // three CLI runs: more than the default minute on a busy shared machine
});
