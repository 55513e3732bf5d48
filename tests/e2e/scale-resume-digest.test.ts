/**
 * A resumed run must meet the model it started with: the run identity leaves the hosts out, so a
 * resume against a different model served under the same name (two simulator cards, both called
 * sim-qwq) is refused with exit 2 and one line naming both digests and --fresh, on the Ollama API
 * and on the OpenAI-compatible one; the same model resumes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { loadCard } from '../../src/sim/model/index.ts';
import { startSimServer, type SimServer } from '../../src/sim/server/index.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/thinkprobe.js');
const suiteFile = join(root, 'suites/quickstart.suite.ts');
const filter = '/arithmetic-chain\\/[1-2]\\//';
const servers: SimServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The built-in sim-qwq, and another card (fewer reflections) served under the same name. */
async function twoModelsOneName(): Promise<[SimServer, SimServer]> {
  const card = loadCard('sim-qwq');
  const other = { ...card, reflection: { ...card.reflection, catchRate: 0.2 } };
  const a = await startSimServer({ port: 0, parallel: 2, onInternalError: () => undefined });
  const b = await startSimServer({ port: 0, parallel: 2, cards: [other], onInternalError: () => undefined });
  servers.push(a, b);
  return [a, b];
}

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, CI: 'true', OLLAMA_HOST: '', OPENAI_BASE_URL: '' } }, (error, _stdout, stderr) => {
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

/** Starts the run on `host` and stops it once some trees are done: an interrupted run folder. */
async function interrupted(out: string, model: string, host: string, template?: string): Promise<string> {
  const aborter = new AbortController();
  const run = await runSuite({
    suiteFile,
    out,
    model,
    host,
    filter,
    samples: 1,
    html: false,
    ...(template ? { template } : {}),
    signal: aborter.signal,
    log: () => undefined,
    onProgress: (p) => {
      if (p.trees.done >= 1) aborter.abort();
    },
  });
  expect(run.status).toBe('interrupted');
  return run.runDir;
}

describe('resume against another model of the same name', () => {
  it('is refused on the Ollama API with one line naming both digests; the same model resumes', async () => {
    const [a, b] = await twoModelsOneName();
    const out = mkdtempSync(join(tmpdir(), 'tp-digest-ollama-'));
    dirs.push(out);
    const runDir = await interrupted(out, 'sim-qwq', a.url);
    const recorded = JSON.parse(readFileSync(join(runDir, 'model.json'), 'utf8')) as { digest: string; hosts: { url: string; digest: string }[] };
    expect(recorded.hosts).toEqual([{ url: expect.stringContaining(a.url) as string, digest: recorded.digest }]);

    const common = { suiteFile, out, model: 'sim-qwq', filter, samples: 1, html: false, log: () => undefined };
    const refused = runSuite({ ...common, host: b.url });
    await expect(refused).rejects.toBeInstanceOf(InputError);
    await expect(refused).rejects.toThrow(new RegExp(`${recorded.digest}.*now serves 'sim-qwq' as (?!${recorded.digest}).*--fresh`));

    const resumed = await runSuite({ ...common, host: a.url });
    expect(resumed.status).toBe('completed');
    expect(resumed.runDir).toBe(runDir);
  });

  it('is refused on the OpenAI-compatible API, through a pool of hosts, with exit 2 and one line', async () => {
    const [a, b] = await twoModelsOneName();
    const out = mkdtempSync(join(tmpdir(), 'tp-digest-openai-'));
    dirs.push(out);
    await interrupted(out, 'openai:sim-qwq', `${a.url},${a.url.replace('127.0.0.1', 'localhost')}`, 'chatml-qwq');
    const args = ['run', suiteFile, '--model', 'openai:sim-qwq', '--template', 'chatml-qwq', '--filter', filter, '--samples', '1', '--out', out, '--reporter', 'silent', '--no-html'];
    const refused = await cli([...args, '--host', b.url]);
    expect(refused.code).toBe(2);
    const lines = refused.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/model\.json: the interrupted run used 'openai:sim-qwq' with digest openai-sha256:\w+ .* --fresh/);
  });
});
