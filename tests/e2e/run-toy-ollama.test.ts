/**
 * Done when: every bundled suite finishes against an Ollama-compatible toy server that thinks in
 * words with "Wait" and answers sums (tests/fixtures/toy-ollama.ts, written from Ollama's documented
 * API, not from the simulator). Each suite runs through the real CLI (bin/thinkprobe.js in a child
 * process) on a few of its problems, and must end with a documented exit code and its output files.
 * And: a run with errored results never reports "All checks hold" with exit 0 unless the suite allows it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAllProblems } from '../../src/problems/load.ts';
import { loadSuite } from '../../src/suite/index.ts';
import { startToyOllama, type ToyOllama } from '../fixtures/toy-ollama.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/thinkprobe.js');
const FILES = ['results.jsonl', 'summary.md', 'junit.xml', 'summary.json', 'problems.jsonl'];

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function thinkprobe(args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: 'true', OLLAMA_HOST: '' }, maxBuffer: 64 << 20, timeout: 240_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A --filter keeping the suite's first `n` problems of each source (ids are family/seed/level). */
async function firstProblems(suiteFile: string, n: number): Promise<string> {
  const loaded = await loadSuite(suiteFile);
  const ids: string[] = [];
  for (const source of loaded.suite.problems) ids.push(...(await loadAllProblems([source], { root: loaded.root })).slice(0, n).map((p) => p.id));
  return `/^(${ids.map(escapeRegex).join('|')})$/`;
}

function runDirOf(stdout: string): string {
  const lines = stdout.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

let toy: ToyOllama;
let refusing: ToyOllama;
const work = mkdtempSync(join(tmpdir(), 'thinkprobe-toy-ollama-'));
beforeAll(async () => {
  toy = await startToyOllama();
  // Refuses every request of NoWait (its banned words are stop strings): that whole intervention fails.
  refusing = await startToyOllama({ refuse: (r) => (r.stop.includes('Wait') ? 'unusable reply: logprobs entry 0 is not an object' : undefined) });
});
afterAll(async () => {
  await toy.close();
  await refusing.close();
});

const suites = readdirSync(join(root, 'suites')).filter((f) => /\.(suite\.ts|ya?ml|json)$/.test(f));

// Concurrent: each case is a child process mostly waiting on its own start-up.
describe.concurrent('every bundled suite finishes against a toy Ollama server', () => {
  it('finds the bundled suites', () => {
    expect(suites.length).toBeGreaterThanOrEqual(6);
  });

  it.each(suites)('%s ends with a documented exit code and writes its files', async (name) => {
    const suiteFile = join(root, 'suites', name);
    const filter = await firstProblems(suiteFile, 1);
    const out = join(work, 'bundled');
    const ran = await thinkprobe(['run', suiteFile, '--model', 'qwq', '--host', toy.url, '--samples', '1', '--filter', filter, '--no-html', '--reporter', 'silent', '--out', out], work);
    expect([0, 1], `exit ${ran.code}: ${ran.stderr}`).toContain(ran.code);
    expect(ran.stderr).not.toContain('internal error');
    const runDir = runDirOf(ran.stdout);
    for (const file of FILES) expect(existsSync(join(runDir, file)), `${name}: ${file}`).toBe(true);
    const rows = readFileSync(join(runDir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { error?: string; thinkingTokens: number });
    expect(rows.length).toBeGreaterThan(0);
    // The toy answers every request it gets: no result errors, so exit 0 or 1 is the checks' verdict alone.
    expect(rows.filter((r) => r.error !== undefined)).toEqual([]);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { verdict: { passed: boolean } };
    expect(ran.code).toBe(summary.verdict.passed ? 0 : 1);
  }, 240_000);
});

describe.concurrent('a run with errored results', () => {
  function writeSuite(extra: Record<string, unknown>): string {
    const file = join(work, `nowait-${Object.keys(extra).join('-') || 'strict'}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        name: 'nowait-fails',
        problems: [
          { id: 'a', question: 'What is 17 + 25?', answer: '42' },
          { id: 'b', question: 'What is 3 + 4?', answer: '7' },
        ],
        maxThinkingTokens: 200,
        answerTokens: 32,
        interventions: [{ type: 'baseline' }, { type: 'suppressReflection' }],
        checks: [{ type: 'accuracyAtLeast', intervention: 'baseline', min: 0 }],
        ...extra,
      }),
    );
    return file;
  }

  it('fails with exit 1 and writes every output when a whole intervention errors', async () => {
    const ran = await thinkprobe(['run', writeSuite({}), '--model', 'qwq', '--host', refusing.url, '--reporter', 'silent', '--out', join(work, 'errored')], work);
    expect(ran.code, ran.stderr).toBe(1);
    const runDir = runDirOf(ran.stdout);
    for (const file of [...FILES, 'index.html']) expect(existsSync(join(runDir, file)), file).toBe(true);
    const rows = readFileSync(join(runDir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { intervention: string; error?: string });
    expect(rows.filter((r) => r.intervention === 'suppressReflection').map((r) => r.error)).toEqual([expect.stringMatching(/^problem a: /), expect.stringMatching(/^problem b: /)]);
    expect(rows.filter((r) => r.intervention === 'baseline').every((r) => r.error === undefined)).toBe(true);
    const summary = readFileSync(join(runDir, 'summary.md'), 'utf8');
    expect(summary).not.toMatch(/All \d+ (evaluated )?checks hold/);
    expect(summary).toContain('### Errored results (2)');
    expect(readFileSync(join(runDir, 'junit.xml'), 'utf8')).toContain('<error message="problem a: ');
  }, 120_000);

  it('passes with exit 0 when the suite allows that error rate', async () => {
    const ran = await thinkprobe(['run', writeSuite({ maxErrorRate: 0.5 }), '--model', 'qwq', '--host', refusing.url, '--no-html', '--reporter', 'silent', '--out', join(work, 'allowed')], work);
    expect(ran.code, ran.stderr).toBe(0);
    const summary = readFileSync(join(runDir(ran), 'summary.md'), 'utf8');
    expect(summary).toContain('**All 2 checks hold.** 2 of 4 results errored.');
  }, 120_000);
});

function runDir(ran: Ran): string {
  return runDirOf(ran.stdout);
}
