import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { startSimServer, type SimServer } from '../../src/sim/server/index.ts';

/**
 * `thinkprobe run` end to end: the real bin/thinkprobe.js in a child process, on the simulator
 * (embedded via `sim:<card>`, or a separately started server for the resume test). Exit codes,
 * the files a run writes, golden update then compare, and resuming a run killed with SIGKILL.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/thinkprobe.js');
const fixtures = join(root, 'tests/e2e/fixtures/run-cli');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function thinkprobe(args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: 'true', OLLAMA_HOST: '' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface JsonReport {
  runDir: string;
  checks: { name: string; verdict: string; summary: string; evidence: Record<string, unknown> }[];
}

function jsonReport(stdout: string): JsonReport {
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON line in: ${stdout}`);
  return JSON.parse(line) as JsonReport;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'thinkprobe-run-cli-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('thinkprobe run: exit codes', () => {
  it('exits 0 when every check holds, and writes the documented files', async () => {
    const out = join(work, 'ok');
    const ran = await thinkprobe(['run', join(fixtures, 'small.yaml'), '--out', out], work);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
    expect(ran.code).toBe(0);
    const runDir = lastLine(ran.stdout).replace(/^.*Report\s+/, '').trim();
    expect(runDir.startsWith(join(out, 'small'))).toBe(true);
    for (const file of ['results.jsonl', 'summary.json', 'junit.xml', 'summary.md', 'index.html', 'problems.jsonl', 'store.sqlite']) {
      expect(existsSync(join(runDir, file)), file).toBe(true);
    }

    // One row per problem x intervention x sample: 6 problems (5 generated + 1 inline) x 3 x 2.
    const rows = readJsonl(join(runDir, 'results.jsonl'));
    expect(rows).toHaveLength(6 * 3 * 2);
    const keys = new Set(rows.map((r) => `${String(r['problemId'])}|${String(r['intervention'])}|${String(r['sample'])}`));
    expect(keys.size).toBe(rows.length);
    expect(new Set(rows.map((r) => r['intervention']))).toEqual(new Set(['baseline', 'budget(96)', 'probed']));
    for (const row of rows) {
      for (const field of ['problemId', 'intervention', 'params', 'sample', 'answer', 'reference', 'correct', 'thinkingTokens', 'answerTokens', 'confidence']) {
        expect(row, field).toHaveProperty(field);
      }
      expect(typeof row['correct']).toBe('boolean');
      expect(Number.isInteger(row['thinkingTokens'])).toBe(true);
    }
    const inline = rows.find((r) => r['problemId'] === 'inline-1');
    expect(inline?.['reference']).toBe('42');
    const budgetRows = rows.filter((r) => r['intervention'] === 'budget(96)');
    expect(budgetRows.every((r) => (r['thinkingTokens'] as number) <= 96)).toBe(true);
    expect(budgetRows[0]?.['params']).toEqual({ type: 'budget', tokens: 96 });
    // Probed rows carry L-hat points at multiples of 48 (the every: 48 probes).
    const probed = rows.filter((r) => r['intervention'] === 'probed');
    const points = probed.flatMap((r) => r['confidence'] as { position: number; lhat?: number }[]);
    expect(points.length).toBeGreaterThan(probed.length);
    expect(points.every((p) => p.position % 48 === 0 && typeof p.lhat === 'number' && p.lhat >= 0)).toBe(true);

    // JUnit: one test case per check, none failed.
    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(runDir, 'junit.xml'), 'utf8')) as {
      testsuites: { '@_tests': string; '@_failures': string; testsuite: { testcase: { '@_name': string }[] | { '@_name': string } } };
    };
    const cases = [junit.testsuites.testsuite.testcase].flat();
    expect(cases).toHaveLength(3);
    expect(junit.testsuites['@_failures']).toBe('0');
    expect(cases.map((c) => c['@_name']).join('\n')).toContain('budgetRespected');

    const summaryMd = readFileSync(join(runDir, 'summary.md'), 'utf8');
    expect(summaryMd).toContain('All 3 checks hold');
    expect(summaryMd).toContain('budget\\(96\\)');
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { interventions: { label: string; n: number }[] };
    expect(summary.interventions.map((i) => [i.label, i.n])).toEqual([
      ['baseline', 12],
      ['budget(96)', 12],
      ['probed', 12],
    ]);
    const html = readFileSync(join(runDir, 'index.html'), 'utf8');
    expect(html).toContain('Content-Security-Policy');
    expect(html).toContain('small');
  });

  it("the README's first command: the quickstart suite holds on the simulator, and the summary names every check", async () => {
    const ran = await thinkprobe(['run', join(root, 'suites/quickstart.suite.ts'), '--no-html', '--out', join(work, 'quickstart')], work);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/Checks\s+4 passed \(4\)/);
    for (const label of ['baseline', 'noThinking', 'budget(256)', 'extend(x1)', 'L-hat probes']) expect(ran.stdout).toContain(label);
  });

  it('exits 1 when a check fails, and says which', async () => {
    const ran = await thinkprobe(['run', join(fixtures, 'failing.yaml'), '--out', join(work, 'failing'), '--reporter', 'json', '--no-html'], work);
    expect(ran.code).toBe(1);
    const report = jsonReport(ran.stdout);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]?.verdict).toBe('fail');
    expect(existsSync(join(report.runDir, 'index.html'))).toBe(false);
    const junit = readFileSync(join(report.runDir, 'junit.xml'), 'utf8');
    expect(junit).toContain('failures="1"');
    expect(lastLine(ran.stdout)).toBe(report.runDir);
  });

  it('exits 2 on a broken suite with one line naming the file, line and JSON pointer', async () => {
    const file = join(fixtures, 'broken.yaml');
    const ran = await thinkprobe(['run', file, '--out', join(work, 'broken')], work);
    expect(ran.code).toBe(2);
    const lines = ran.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${file}:9`);
    expect(lines[0]).toContain('/interventions/1/tokens');
    expect(lines[0]).toMatch(/expected .*>= 1/);
    expect(existsSync(join(work, 'broken'))).toBe(false);
  });

  it('exits 2 on a bad flag value or an unknown reporter, with one line naming the flag', async () => {
    const samples = await thinkprobe(['run', join(fixtures, 'small.yaml'), '--samples', 'zero'], work);
    expect(samples.code).toBe(2);
    expect(samples.stderr.trim().split('\n')).toHaveLength(1);
    expect(samples.stderr).toContain('--samples');
    const reporter = await thinkprobe(['run', join(fixtures, 'small.yaml'), '--reporter', 'fancy'], work);
    expect(reporter.code).toBe(2);
    expect(reporter.stderr).toContain('--reporter');
    const missing = await thinkprobe(['run', join(work, 'no-such.suite.yaml')], work);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no-such.suite.yaml');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 3 when the Ollama server cannot be reached', async () => {
    const port = await closedPort();
    const ran = await thinkprobe(['run', join(fixtures, 'small.yaml'), '--model', 'qwq', '--host', `http://127.0.0.1:${port}`, '--out', join(work, 'unreachable')], work);
    expect(ran.code).toBe(3);
    expect(ran.stderr.trim().split('\n')).toHaveLength(1);
    expect(ran.stderr).toContain(`127.0.0.1:${port}`);
  });
});

describe('thinkprobe run: golden update then compare', () => {
  it('--update-golden writes golden/<suite>/<model>.json; sim-qwq then passes noRegression and sim-qwq-regressed fails it, listing the flips', async () => {
    // The bundled release-gate suite, run in a scratch folder so golden/ there is ours.
    const dir = join(work, 'gate');
    cpSync(join(root, 'suites/release-gate.yaml'), join(dir, 'release-gate.yaml'));
    const suite = join(dir, 'release-gate.yaml');
    // A tenth of its 432 problems (ids with a middle number ending in 0) keeps this test cheap.
    const slice = ['--filter', '/\\/\\d*0\\//'];
    const update = await thinkprobe(['run', suite, ...slice, '--update-golden', '--reporter', 'json', '--no-html', '--out', join(dir, 'reports')], dir);
    const goldenFile = join(dir, 'golden/release-gate/sim_sim-qwq.json');
    expect(update.stdout).toContain(`golden written: ${goldenFile}`);
    // (The update run's exit code is not asserted: noRegression has nothing to compare with while
    // the golden is being written and reports an error, so the runner exits 1; see the report.)
    const golden = JSON.parse(readFileSync(goldenFile, 'utf8')) as { suite: string; model: string; outcomes: unknown[]; environment: { thinkprobeVersion: string } };
    expect(golden.suite).toBe('release-gate');
    expect(golden.model).toBe('sim:sim-qwq');
    expect(golden.outcomes).toHaveLength(43 * 3);
    expect(golden.environment.thinkprobeVersion).toMatch(/^\d+\.\d+\.\d+/);

    const same = await thinkprobe(['run', suite, ...slice, '--reporter', 'json', '--no-html', '--out', join(dir, 'reports')], dir);
    expect(same.code).toBe(0);
    const gate = jsonReport(same.stdout).checks.find((c) => c.name.startsWith('noRegression'));
    expect(gate?.verdict).toBe('pass');
    // Same model, same seed: the same outcomes, so nothing flipped.
    expect(gate?.evidence['regressed']).toEqual([]);

    const regressed = await thinkprobe(['run', suite, ...slice, '--model', 'sim:sim-qwq-regressed', '--no-html', '--out', join(dir, 'reports')], dir);
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toMatch(/✗ noRegression/);
    expect(regressed.stdout).toMatch(/regression against golden: .*regressed/);
    const runDir = lastLine(regressed.stdout).replace(/^.*Report\s+/, '').trim();
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { checks: JsonReport['checks'] };
    const failed = summary.checks.find((c) => c.name.startsWith('noRegression'));
    expect(failed?.verdict).toBe('fail');
    const flips = failed?.evidence['regressed'] as { problemId: string; intervention: string }[];
    expect(flips.length).toBeGreaterThanOrEqual(10);
    expect(flips.every((f) => /^(arithmetic-chain|linear-equation)\//.test(f.problemId))).toBe(true);
    expect(new Set(flips.map((f) => f.intervention)).has('budget(192)')).toBe(true);
    const junit = readFileSync(join(runDir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase [^>]*name="noRegression[^"]*"[^>]*>\s*<failure/);
  });
});

describe('thinkprobe run: resume after SIGKILL', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSimServer({ port: 0, parallel: 4, onInternalError: () => undefined });
  });
  afterAll(async () => {
    await sim.close();
  });

  async function idle(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const stats = sim.stats();
      if (stats.active === 0 && stats.queued === 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Requests the simulator served while `action` ran (and until it went idle). */
  async function requestsDuring<T>(action: () => Promise<T>): Promise<{ value: T; requests: number }> {
    await idle();
    const before = sim.stats().requests;
    const value = await action();
    await idle();
    return { value, requests: sim.stats().requests - before };
  }

  it('a rerun completes the killed run, sends only the missing requests, and matches an uninterrupted run', async () => {
    const suite = join(fixtures, 'small.yaml');
    const args = (out: string) => ['run', suite, '--model', 'sim-fast', '--host', sim.url, '--concurrency', '4', '--no-html', '--reporter', 'json', '--out', out];

    const full = await requestsDuring(() => thinkprobe(args(join(work, 'resume-full')), work));
    expect(full.value.code).toBe(0);
    const fullRows = readJsonl(join(jsonReport(full.value.stdout).runDir, 'results.jsonl'));

    // Kill the run once a third of its results are in (plain progress lines on stderr: CI=true).
    const out = join(work, 'resume');
    const killed = await requestsDuring(
      () =>
        new Promise<{ signal: NodeJS.Signals | null; progressed: number }>((resolve) => {
          const child = spawn(process.execPath, [bin, ...args(out)], { cwd: work, env: { ...process.env, CI: 'true', OLLAMA_HOST: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
          let progressed = 0;
          let text = '';
          child.stderr.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            for (const match of text.matchAll(/progress (\d+)\/(\d+) results/g)) {
              const done = Number(match[1]);
              const total = Number(match[2]);
              progressed = Math.max(progressed, done);
              if (done >= total / 3 && done < total && child.exitCode === null && !child.killed) child.kill('SIGKILL');
            }
          });
          child.on('exit', (_code, signal) => resolve({ signal, progressed }));
        }),
    );
    expect(killed.value.signal).toBe('SIGKILL');
    const runs = readdirSync(join(out, 'small'));
    expect(runs).toHaveLength(1);
    const runDir = join(out, 'small', runs[0] ?? '');
    expect(existsSync(join(runDir, 'summary.json'))).toBe(false);
    expect(existsSync(join(runDir, 'store.sqlite'))).toBe(true);

    const resumed = await requestsDuring(() => thinkprobe(args(out), work));
    expect(resumed.value.code).toBe(0);
    expect(resumed.value.stderr).toContain('resuming interrupted run');
    expect(jsonReport(resumed.value.stdout).runDir).toBe(runDir);
    expect(readdirSync(join(out, 'small'))).toHaveLength(1);

    // Only the missing work is sent: the rerun sends fewer requests than a whole run, and the two
    // halves together at most a whole run plus what was in flight when the first was killed
    // (4 slots) and the rerun's preflight (version, tags, show: a few requests).
    expect(resumed.requests).toBeLessThan(full.requests);
    expect(killed.requests + resumed.requests).toBeLessThanOrEqual(full.requests + 4 + 6);

    // And the outcome is the uninterrupted run's, row for row.
    // Costs too (issue 13): replayed work counts what it cost when first computed; wall time is timing, left out.
    const costOf = (r: Record<string, unknown>) => {
      const cost = r['cost'] as { alone: unknown; tree: Record<string, unknown> };
      const { wallMs: _wallMs, ...tree } = cost.tree;
      return { alone: cost.alone, tree };
    };
    const project = (rows: Record<string, unknown>[]) => rows.map((r) => [r['key'], r['answer'], r['correct'], r['thinkingTokens'], r['answerTokens'], r['confidence'], costOf(r)]);
    expect(project(readJsonl(join(runDir, 'results.jsonl')))).toEqual(project(fullRows));
  });
});
