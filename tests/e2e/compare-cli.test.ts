import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { RunData } from '../../src/reports/run-data.ts';
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

async function tinyRun(work: string, name: string, seed: number, extra: Record<string, unknown> = {}): Promise<string> {
  const suiteFile = join(work, `${name}.suite.json`);
  writeFileSync(
    suiteFile,
    JSON.stringify({ name, model: 'sim:sim-fast', problems: [{ family: 'arithmetic-chain', count: 3, difficulty: 1, seed }], interventions: [{ type: 'baseline' }], checks: [], ...extra }),
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

  it('pairs runs with different samples per problem (1 and 4) by problem, names the stratified test, and lists the problems that moved', async () => {
    const work = mkdtempSync(join(tmpdir(), 'thinkprobe-compare-samples-'));
    // Same problems; a cap of 24 thinking tokens makes sim-fast miss some, so accuracies can move.
    const design = { problems: [{ family: 'arithmetic-chain', count: 4, difficulty: 2, seed: 3 }], interventions: [{ type: 'baseline' }, { type: 'budget', tokens: 24 }] };
    const one = await tinyRun(work, 'one', 3, { ...design, samples: 1, seed: 1 });
    const four = await tinyRun(work, 'four', 3, { ...design, samples: 4, seed: 2 });
    const out = join(work, 'compare.html');
    const compared = await thinkprobe(['compare', one, four, '--out', out], work);
    expect([0, 1], compared.stderr).toContain(compared.code);
    const lines = compared.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe(out);

    // What each problem's accuracy did, from the two runs' own results.
    const accuracy = (dir: string) => {
      const by = new Map<string, { right: number; n: number }>();
      for (const line of readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n')) {
        const r = JSON.parse(line) as { problemId: string; intervention: string; correct: boolean };
        const k = `${r.intervention}\u0000${r.problemId}`;
        const c = by.get(k) ?? { right: 0, n: 0 };
        c.n++;
        if (r.correct) c.right++;
        by.set(k, c);
      }
      return by;
    };
    const before = accuracy(one);
    const after = accuracy(four);
    expect([...before.values()].every((c) => c.n === 1)).toBe(true);
    expect([...after.values()].every((c) => c.n === 4)).toBe(true);
    for (const label of ['baseline', 'budget(24)']) {
      const line = lines.find((l) => l.includes(`paired(${label})`));
      expect(line, compared.stdout).toBeDefined();
      let fell = 0;
      let rose = 0;
      for (const [k, c] of after) {
        if (!k.startsWith(`${label}\u0000`)) continue;
        const old = before.get(k)!;
        const change = c.right / c.n - old.right / old.n;
        if (change < 0) fell++;
        if (change > 0) rose++;
      }
      expect(line).toContain(`4 problems, A 1 and B 4 samples per problem: ${fell} problems fell, ${rose} rose, one-sided permutation test stratified by problem`);
    }
    // The HTML compare view carries the same rows: the test and the per-problem flips.
    const html = readFileSync(out, 'utf8');
    const packed = /<script type="application\/octet-stream" id="tp-data">([^<]*)<\/script>/.exec(html)?.[1] ?? '';
    const shown = JSON.parse(gunzipSync(Buffer.from(packed, 'base64')).toString('utf8')) as RunData;
    expect(shown.comparison?.rows.map((r) => [r.intervention, r.test, r.samplesA, r.samplesB, r.pairs])).toEqual([
      ['baseline', 'stratified', 1, 4, 4],
      ['budget(24)', 'stratified', 1, 4, 4],
    ]);
    for (const f of shown.comparison?.flips ?? []) {
      expect(f.sample).toBeUndefined();
      expect(f.a).toBe(f.correctA! / f.samplesA! > f.correctB! / f.samplesB!);
    }
  });
});
