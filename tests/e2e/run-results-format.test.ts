import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * results.jsonl is a public format: CI jobs, notebooks and golden files read its keys. The fixture
 * holds the rows of one quickstart problem as thinkprobe wrote them before results became one core
 * model (src/core/model.ts), wall times zeroed; a run today must write the same bytes. One problem
 * (all five interventions, two samples, L-hat probes included) keeps the run to seconds.
 *
 * When the simulator's behaviour changes on purpose, regenerate the fixture from a run of the
 * same command (zeroing `wallMs`) and say so in the commit.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(root, 'tests/fixtures/results/quickstart-chain-1-3.results.jsonl');
const work = mkdtempSync(join(tmpdir(), 'thinkprobe-results-format-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(out: string): Promise<{ code: number | null; stderr: string }> {
  const args = ['run', join(root, 'suites/quickstart.suite.ts'), '--filter', '/^arithmetic-chain\\/1\\/3$/', '--no-html', '--reporter', 'silent', '--out', out];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/thinkprobe.js'), ...args], { cwd: work, env: { ...process.env, CI: 'true', OLLAMA_HOST: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** Wall time is the only field that differs between two runs of the same suite. */
const timeless = (text: string): string => text.replace(/"wallMs":[0-9.eE+-]+/g, '"wallMs":0');

describe('results.jsonl keeps its format', () => {
  it('a bundled suite writes the same bytes as before the core model (wall times aside)', async () => {
    const out = join(work, 'out');
    const ran = await run(out);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const [runId] = readdirSync(join(out, 'quickstart'));
    const written = timeless(readFileSync(join(out, 'quickstart', runId!, 'results.jsonl'), 'utf8'));
    const expected = readFileSync(fixture, 'utf8');
    // Line by line first: a failure names the row and key that changed.
    const rows = written.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    const want = expected.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((r) => Object.keys(r))).toEqual(want.map((r) => Object.keys(r)));
    expect(rows).toEqual(want);
    expect(written).toBe(expected);
  }, 120_000);
});
