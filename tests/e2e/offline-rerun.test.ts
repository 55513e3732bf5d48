/**
 * `run --offline --from RUN_DIR`: the same suite re-analysed from an earlier run's store, with no
 * server, gives the same results; anything the store cannot answer is one line.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSuite, type RunSuiteOutcome } from '../../src/runner/run-suite.ts';
import { outcomes } from './scale-helpers.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/thinkprobe.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, CI: 'true', OLLAMA_HOST: '', OPENAI_BASE_URL: '' } }, (error, stdout, stderr) => {
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const suite = (interventions: string): string => `name: offline-probe
model: sim:sim-qwq
problems:
  - family: arithmetic-chain
    count: 3
    difficulty: 3
    seed: 5
samples: 2
maxThinkingTokens: 2048
interventions:
${interventions}
checks:
  - type: budgetRespected
`;
const base = `  - type: baseline
  - type: budget
    tokens: 128
  - type: probes
    every: 96
    label: probes
`;

describe('offline re-analysis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-offline-'));
  const suiteFile = join(dir, 'offline.yaml');
  let online: RunSuiteOutcome;
  beforeAll(async () => {
    writeFileSync(suiteFile, suite(base));
    // The embedded simulator stops when the run ends: nothing serves the offline runs below.
    online = await runSuite({ suiteFile, out: join(dir, 'reports'), html: false, log: () => undefined });
  });

  it('re-grades the stored completions without a server: identical results, the earlier store untouched', async () => {
    expect(online.status).toBe('completed');
    const store = join(online.runDir, 'store.sqlite');
    const before = statSync(store).mtimeMs;
    const { code, stdout, stderr } = await cli(['run', suiteFile, '--offline', '--from', online.runDir, '--out', join(dir, 'reports'), '--reporter', 'silent', '--no-html']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const offlineDir = stdout.trim().split('\n').at(-1)!;
    expect(offlineDir).not.toBe(online.runDir);
    expect(existsSync(join(offlineDir, 'summary.md'))).toBe(true);
    const rows = outcomes(offlineDir);
    expect(rows).toHaveLength(3 * 2 * 3);
    expect(rows.some((r) => Array.isArray(r.confidence) && r.confidence.length > 0)).toBe(true);
    expect(rows).toEqual(outcomes(online.runDir));
    expect(statSync(store).mtimeMs).toBe(before);
    const summary = JSON.parse(readFileSync(join(offlineDir, 'summary.json'), 'utf8')) as { run: { environment: { backend: string } } };
    expect(summary.run.environment.backend).toContain('offline');
  });

  it('names an intervention the earlier run did not have, in one line, before anything runs', async () => {
    const extra = join(dir, 'extra.yaml');
    writeFileSync(extra, suite(`${base}  - type: extend\n    times: 1\n`));
    const { code, stderr } = await cli(['run', extra, '--offline', '--from', online.runDir, '--out', join(dir, 'reports-extra'), '--reporter', 'silent']);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`--from ${online.runDir}`);
    expect(lines[0]).toContain("intervention 'extend(x1)'");
    expect(existsSync(join(dir, 'reports-extra'))).toBe(false);
  });

  it('names the problem and the request when the store lacks one (a changed budget under the same label)', async () => {
    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, suite(base.replace('tokens: 128', 'tokens: 100\n    label: budget(128)')));
    const { code, stderr } = await cli(['run', changed, '--offline', '--from', online.runDir, '--out', join(dir, 'reports-changed'), '--reporter', 'silent']);
    expect(code).toBe(3);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/offline: .* has no stored completion for problem arithmetic-chain\/\d+\/\S+, sample \d/);
  });

  it('refuses --offline without --from, and --from with a folder that is not a run', async () => {
    const noFrom = await cli(['run', suiteFile, '--offline']);
    expect(noFrom.code).toBe(2);
    expect(noFrom.stderr).toContain('--offline');
    const notRun = await cli(['run', suiteFile, '--offline', '--from', dir]);
    expect(notRun.code).toBe(2);
    expect(notRun.stderr.trim().split('\n')).toHaveLength(1);
    expect(notRun.stderr).toContain('no store.sqlite');
  });
});
