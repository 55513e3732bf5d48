import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSuite } from '../../src/runner/run-suite.ts';

const bin = fileURLToPath(new URL('../../bin/thinkprobe.js', import.meta.url));

function thinkprobe(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: 'true', OLLAMA_HOST: '', NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

async function tinyRun(work: string, name: string, seed: number): Promise<string> {
  const suiteFile = join(work, `${name}.suite.json`);
  writeFileSync(
    suiteFile,
    JSON.stringify({ name, model: 'sim:sim-fast', problems: [{ family: 'arithmetic-chain', count: 3, difficulty: 1, seed }], interventions: [{ type: 'baseline' }], checks: [] }),
  );
  const outcome = await runSuite({ suiteFile, out: join(work, 'reports'), html: false, log: () => undefined });
  return outcome.runDir;
}

describe('thinkprobe compare', () => {
  it('exits 2 with one line when the runs have no problem in common, and 0 with a report when they do', async () => {
    const work = mkdtempSync(join(tmpdir(), 'thinkprobe-compare-'));
    const a = await tinyRun(work, 'a', 1);
    const b = await tinyRun(work, 'b', 50);
    const again = await tinyRun(work, 'c', 1);

    const disjoint = await thinkprobe(['compare', a, b], work);
    expect(disjoint.code).toBe(2);
    expect(disjoint.stdout).toBe('');
    const lines = disjoint.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^thinkprobe: compare .*: expected runs with problems in common/);
    expect(lines[0]).not.toMatch(/NaN/);
    expect(readdirSync(b).some((f) => f.startsWith('compare-'))).toBe(false);

    const shared = await thinkprobe(['compare', a, again], work);
    expect(shared.code, shared.stderr).toBe(0);
    expect(shared.stdout).toMatch(/^✓ paired\(baseline\) {2}\d/m);
    expect(existsSync(shared.stdout.trim().split('\n').at(-1)!)).toBe(true);
  });
});
