import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSuite } from '../../src/runner/run-suite.ts';

/**
 * A failed release gate names its flips: the CLI's terminal output (first 20, then "and N more"),
 * summary.md (a table of every flip) and junit.xml (every flip in the failure body). The golden is
 * written in the test on sim:sim-fast; the candidate is a regressed sim-fast card (a fixture file),
 * and the expected flips are computed here from the golden file and results.jsonl.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/thinkprobe.js');
const regressedCard = join(root, 'tests/fixtures/cards/sim-fast-regressed.json');

function thinkprobe(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: 'true', OLLAMA_HOST: '', NO_COLOR: '1' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

function runDir(out: string, suite: string): string {
  const dir = join(out, suite);
  const runs = readdirSync(dir).sort();
  return join(dir, runs[runs.length - 1]!);
}

describe('a failed release gate', () => {
  it('names every flipped problem in the terminal, summary.md and junit.xml', async () => {
    const work = mkdtempSync(join(tmpdir(), 'thinkprobe-gate-flips-'));
    writeFileSync(
      join(work, 'gate.suite.json'),
      JSON.stringify({
        name: 'gate',
        model: 'sim:sim-fast',
        golden: { dir: 'golden', model: 'sim:sim-fast' },
        problems: [{ family: 'arithmetic-chain', count: 30, difficulty: 3, seed: 5 }],
        maxThinkingTokens: 1024,
        interventions: [{ type: 'baseline' }, { type: 'budget', tokens: 48 }],
        checks: [{ type: 'noRegression', test: 'mcnemar', alpha: 0.05 }],
      }),
    );
    // The golden in-process (cheaper); the failing run through the CLI, whose terminal output is tested.
    const golden = await runSuite({ suiteFile: join(work, 'gate.suite.json'), updateGolden: true, out: join(work, 'golden-run'), html: false, log: () => undefined });
    expect(golden.goldenWritten).toBe(join(work, 'golden', 'gate', 'sim_sim-fast.json'));

    const ran = await thinkprobe(['run', 'gate.suite.json', '--model', `sim:${regressedCard}`, '--no-html'], work);
    expect(ran.code, ran.stderr).toBe(1);
    const dir = runDir(join(work, 'reports'), 'gate');

    // The flips, computed from the golden file and the run's results.
    const goldenFile = JSON.parse(readFileSync(join(work, 'golden', 'gate', 'sim_sim-fast.json'), 'utf8')) as { outcomes: Array<{ problemId: string; intervention: string; sample: number; correct: boolean }> };
    const before = new Map(goldenFile.outcomes.map((o) => [`${o.problemId}|${o.intervention}|${o.sample}`, o.correct]));
    const rows = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { problemId: string; intervention: string; sample: number; correct: boolean });
    const flipped = rows.filter((r) => before.get(`${r.problemId}|${r.intervention}|${r.sample}`) !== r.correct);
    const lineOf = (r: (typeof rows)[number]) => `${r.problemId} · ${r.intervention} · sample ${r.sample}: ${r.correct ? 'wrong -> correct' : 'correct -> wrong'}`;
    const regressed = flipped.filter((r) => !r.correct);
    expect(regressed.length).toBeGreaterThan(20); // enough for the terminal to cut the list

    // Terminal: the first 20 flips (regressions first), then how many more.
    const terminalFlips = ran.stdout.split('\n').map((l) => l.trim()).filter((l) => / · sample \d+: /.test(l));
    expect(terminalFlips).toHaveLength(20);
    for (const line of terminalFlips) expect(flipped.map(lineOf)).toContain(line);
    expect(ran.stdout).toContain(`flipped against golden (golden -> now): ${regressed.length} regressed, ${flipped.length - regressed.length} improved`);
    expect(ran.stdout).toContain(`and ${flipped.length - 20} more`);

    // summary.md: a table row per flip, and the check's summary whole (it ends with its closing parenthesis or bracket).
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    const esc = (s: string) => s.replace(/[\\`*_{}[\]()#+!|<>&~]/g, (c) => `\\${c}`);
    for (const r of flipped) expect(md).toContain(`| ${esc(r.problemId)} | ${esc(r.intervention)} | ${r.sample} | ${r.correct ? 'wrong | correct' : 'correct | wrong'} |`);
    const checkRow = md.split('\n').find((l) => l.startsWith('| noRegression'));
    expect(checkRow).toMatch(/regression against golden: .*[)\]] \|$/);

    // junit.xml: every flip in the failure body.
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    for (const r of flipped) expect(junit).toContain(lineOf(r).replace(/>/g, '&gt;'));
  });
});
