import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../bin/thinkprobe.js', import.meta.url));

async function thinkprobe(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('thinkprobe CLI', () => {
  it('prints help and exits 0', async () => {
    const result = await thinkprobe('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: thinkprobe');
  });

  it('prints the package version, and nothing else', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(await thinkprobe(flag)).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it("lists every command in help, and a command's own options in its help", async () => {
    const top = await thinkprobe('--help');
    for (const name of ['run', 'report', 'compare', 'grade', 'sim']) expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    for (const args of [['run', '--help'], ['help', 'run']]) {
      const result = await thinkprobe(...args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout, args.join(' ')).toContain('Usage: thinkprobe run');
      expect(result.stdout, args.join(' ')).toContain('--model <name>');
    }
  });

  it('rejects an unknown command with exit code 2, suggesting the nearest one', async () => {
    const result = await thinkprobe('rnu');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'rnu'");
    expect(result.stderr).toContain('run');
  });

  it('rejects an unknown flag with exit code 2 and one clear line', async () => {
    const result = await thinkprobe('--no-such-flag');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-flag'");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('shows control characters in error messages as escapes, never raw', async () => {
    const result = await thinkprobe('run', 'missing\u001b]0;owned\u0007.yaml');
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/[\u001b\u0007]/);
    expect(result.stderr).toContain('missing\\u001b]0;owned\\u0007.yaml: no such file');
  });

  it('refuses an unknown --template with one line naming the flag', async () => {
    const result = await thinkprobe('run', 'suites/quickstart.suite.ts', '--template', 'nope', '--out', join(tmpdir(), 'thinkprobe-cli-test'));
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe("thinkprobe: --template: unknown template 'nope'; expected one of chatml-qwq, qwen3, deepseek-r1 (or a custom template in the suite)");
  });
});
