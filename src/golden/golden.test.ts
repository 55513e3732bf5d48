import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { version } from '../core/version.ts';
import { budget, labeled, row, rowsFor } from '../checks/fixtures.ts';
import { runCheck, mcnemarRegressionP } from '../checks/index.ts';
import type { CheckContext, ResultRow } from '../results/types.ts';
import { gateFlips } from './flips.ts';
import { buildGolden, compareWithGolden, environmentDifferences, goldenPath, modelFileName, readGolden, writeGolden } from './golden.ts';

const environment = {
  model: 'sim:sim-qwq',
  digest: 'sha256:abc',
  serverVersion: 'thinkprobe-sim 0.1.0',
  thinkprobeVersion: version,
  options: { samples: 1, seed: 0, sampling: { temperature: 0.6, topP: 0.95, topK: 40 } },
};
const interventions = labeled({ type: 'baseline' }, budget(512));
const rows: ResultRow[] = [
  ...rowsFor('baseline', 5, 4),
  ...rowsFor('budget(512)', 5, 2, { thinkingTokens: 512, capFired: true }),
].map((r) => ({ ...r, answer: r.correct ? '42' : '</think><script>' }));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'thinkprobe-golden-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('golden files', () => {
  it('round-trips through the file, with aggregates and environment', async () => {
    const golden = buildGolden({ suite: 'release-gate', model: 'sim:sim-qwq', environment, interventions, rows: [...rows].reverse(), createdAt: '2026-01-01T00:00:00.000Z' });
    expect(golden.aggregates).toEqual([
      { intervention: 'baseline', n: 5, correct: 4, accuracy: 0.8, meanThinkingTokens: 1000, meanAnswerTokens: 100 },
      { intervention: 'budget(512)', n: 5, correct: 2, accuracy: 0.4, meanThinkingTokens: 512, meanAnswerTokens: 100 },
    ]);
    expect(golden.outcomes[0]).toEqual({ problemId: 'p0', intervention: 'baseline', sample: 0, correct: true, thinkingTokens: 1000, answerTokens: 100, answer: '42' });
    const file = goldenPath(dir, 'release-gate', 'sim:sim-qwq');
    expect(file).toBe(join(dir, 'release-gate', 'sim_sim-qwq.json'));
    await writeGolden(file, golden);
    expect(await readGolden(file)).toEqual(golden);
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true);
  });

  it('is undefined when absent, and an InputError naming the field when broken', async () => {
    expect(await readGolden(join(dir, 'none.json'))).toBeUndefined();
    const broken = join(dir, 'broken.json');
    const golden = buildGolden({ suite: 's', model: 'm', environment, interventions, rows });
    const bad = { ...golden, outcomes: [{ ...golden.outcomes[0], correct: 'yes' }] };
    await writeFile(broken, JSON.stringify(bad));
    await expect(readGolden(broken)).rejects.toThrow(`${broken}: /outcomes/0/correct: expected a boolean, got string "yes"`);
    await writeFile(broken, '{"format": "thinkprobe-golden",');
    await expect(readGolden(broken)).rejects.toBeInstanceOf(InputError);
    const twice = { ...golden, outcomes: [golden.outcomes[0], golden.outcomes[0]] };
    await writeFile(broken, JSON.stringify(twice));
    await expect(readGolden(broken)).rejects.toThrow('/outcomes/1: a second outcome for p0 x baseline x sample 0');
  });

  it('makes model names safe file names', () => {
    expect(modelFileName('hf.co/org/model:Q4_K_M')).toBe('hf.co_org_model_Q4_K_M');
    expect(modelFileName('qwq:32b')).toBe('qwq_32b');
  });

  it('lists the settings that changed since the golden run', () => {
    const now = { ...environment, digest: 'sha256:def', options: { ...environment.options, seed: 1 } };
    expect(environmentDifferences(environment, now)).toEqual(['digest: "sha256:abc" -> "sha256:def"', 'options.seed: 0 -> 1']);
  });
});

describe('comparison with golden', () => {
  const golden = buildGolden({ suite: 's', model: 'm', environment, interventions, rows }).outcomes;
  it('lists the flips both ways and what is only on one side', () => {
    const now = [
      row('p0', 'baseline', false),
      row('p1', 'baseline', true),
      row('p2', 'baseline', true),
      row('p3', 'baseline', true),
      row('p4', 'baseline', true),
      row('p9', 'baseline', true),
    ];
    const [baseline, capped] = compareWithGolden(golden, now, ['baseline', 'budget(512)']);
    expect(baseline).toMatchObject({
      intervention: 'baseline',
      pairs: 5,
      goldenCorrect: 4,
      runCorrect: 4,
      regressed: [{ problemId: 'p0', intervention: 'baseline', sample: 0 }],
      improved: [{ problemId: 'p4', intervention: 'baseline', sample: 0 }],
      onlyInGolden: 0,
      onlyInRun: 1,
    });
    expect(capped).toMatchObject({ pairs: 0, onlyInGolden: 5 });
  });
});

describe('noRegression', () => {
  const many = (label: string, n: number, correctIds: (i: number) => boolean): ResultRow[] =>
    Array.from({ length: n }, (_, i) => row(`p${i}`, label, correctIds(i)));
  const goldenRows = [...many('baseline', 60, () => true), ...many('budget(512)', 60, (i) => i % 2 === 0)];
  const golden = { file: 'golden/s/m.json', outcomes: buildGolden({ suite: 's', model: 'm', environment, interventions, rows: goldenRows }).outcomes };
  const ctx = (now: ResultRow[]): CheckContext => ({ rows: now, interventions, golden, seed: 0 });

  it('passes an unchanged model', async () => {
    const result = await runCheck({ type: 'noRegression', test: 'mcnemar', alpha: 0.05, margin: 0.05 }, ctx(goldenRows));
    expect(result.verdict).toBe('pass');
    expect(result.evidence['alphaPerTest']).toBe(0.025);
  });

  it('fails a regressed model and lists the problems that flipped', async () => {
    const now = [...many('baseline', 60, (i) => i >= 8), ...many('budget(512)', 60, (i) => i % 2 === 0)];
    const result = await runCheck({ type: 'noRegression', test: 'mcnemar', alpha: 0.05, margin: 0.05 }, ctx(now));
    expect(result.verdict).toBe('fail');
    expect(result.summary).toMatch(/^regression against golden: baseline 8 regressed\/0 improved \(p=0\.004\)/);
    expect((result.evidence['regressed'] as { problemId: string }[]).map((f) => f.problemId)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
  });

  it('keeps every flip, both ways, with golden and current outcomes, beyond the first 50', async () => {
    // 55 baseline regressions and 1 budget improvement: more than the 50 the capped lists show.
    const now = [...many('baseline', 60, (i) => i >= 55), ...many('budget(512)', 60, (i) => i % 2 === 0 || i === 1)];
    const result = await runCheck({ type: 'noRegression', test: 'mcnemar', alpha: 0.05, margin: 0.05 }, ctx(now));
    expect(result.verdict).toBe('fail');
    const flips = gateFlips(result.evidence);
    expect(flips).toHaveLength(56);
    expect(flips.filter((f) => f.golden === 'correct' && f.now === 'wrong')).toHaveLength(55);
    expect(flips.at(-1)).toEqual({ problemId: 'p1', intervention: 'budget(512)', sample: 0, golden: 'wrong', now: 'correct' });
    expect(new Set(flips.map((f) => f.problemId)).size).toBe(55);
    // Natural order: p2 before p10.
    expect(flips.slice(0, 12).map((f) => f.problemId)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10', 'p11']);
  });

  it('tolerates noise that an unchanged model would produce', async () => {
    const now = [...many('baseline', 60, (i) => i >= 2), ...many('budget(512)', 60, (i) => i % 2 === 0 || i === 1)];
    expect((await runCheck({ type: 'noRegression', test: 'mcnemar', alpha: 0.05, margin: 0.05 }, ctx(now))).verdict).toBe('pass');
  });

  it('non-inferiority fails when the data cannot rule out a drop beyond the margin', async () => {
    const check = { type: 'noRegression' as const, test: 'nonInferiority' as const, alpha: 0.05, margin: 0.05 };
    expect((await runCheck(check, ctx(goldenRows))).verdict).toBe('fail');
    expect((await runCheck({ ...check, margin: 0.2 }, ctx(goldenRows))).verdict).toBe('pass');
  });

  it('names interventions missing from golden and settings changed since', async () => {
    const now = [...goldenRows, ...many('extend(x1)', 60, () => true)];
    const withExtend = [...interventions, ...labeled({ type: 'extend', times: 1 })];
    const context: CheckContext = { rows: now, interventions: withExtend, golden: { ...golden, environmentChanges: ['digest: "a" -> "b"'] }, seed: 0 };
    const result = await runCheck({ type: 'noRegression', test: 'mcnemar', alpha: 0.05, margin: 0.05 }, context);
    expect(result.verdict).toBe('pass');
    expect(result.summary).toMatch(/\[not in golden: extend\(x1\); changed since golden: digest: "a" -> "b"\]$/);
    expect(result.evidence).toMatchObject({ missing: ['extend(x1)'], environmentChanges: ['digest: "a" -> "b"'] });
    const named = await runCheck({ type: 'noRegression', test: 'mcnemar', alpha: 0.05, margin: 0.05, interventions: ['baseline', 'extend(x1)'] }, context);
    expect(named).toMatchObject({ verdict: 'error', summary: 'not in both the run and the golden baseline: extend(x1)' });
  });

  it('is an error without a golden baseline', async () => {
    const result = await runCheck({ type: 'noRegression', test: 'mcnemar', alpha: 0.05, margin: 0.05 }, { rows: goldenRows, interventions, seed: 0 });
    expect(result.verdict).toBe('error');
    expect(result.summary).toContain('--update-golden');
  });

  it('uses all 4 samples of a samples: 4 run against a samples: 1 golden (paired by problem)', async () => {
    // Golden: one sample, all right. Run: sample 0 as golden, samples 1-3 wrong on 30 of 60 problems.
    const four = (label: string, wrong: (i: number, sample: number) => boolean): ResultRow[] =>
      Array.from({ length: 60 }, (_, i) => [0, 1, 2, 3].map((sample) => ({ ...row(`p${i}`, label, !wrong(i, sample)), sample }))).flat();
    const now = [...four('baseline', (i, sample) => sample > 0 && i < 30), ...four('budget(512)', (i) => i % 2 === 1)];
    const [baseline, capped] = compareWithGolden(golden.outcomes, now, ['baseline', 'budget(512)']);
    expect(baseline!.byProblem).toHaveLength(60);
    expect(baseline!.byProblem![0]).toEqual({ problemId: 'p0', aSamples: 1, aCorrect: 1, bSamples: 4, bCorrect: 1 });
    expect(baseline!.pairs).toBe(240);
    expect(baseline!.runCorrect).toBe(150);
    expect(baseline!.regressed.map((f) => `${f.problemId}/${f.sample}`).slice(0, 4)).toEqual(['p0/1', 'p0/2', 'p0/3', 'p1/1']);
    expect(baseline!.regressed).toHaveLength(90);
    expect(capped!.regressed).toHaveLength(0);
    const result = await runCheck({ type: 'noRegression', test: 'mcnemar', alpha: 0.05, margin: 0.05 }, ctx(now));
    expect(result.verdict).toBe('fail');
    expect(result.summary).toMatch(/^regression against golden: baseline 90 regressed\/0 improved \(p[=<]/);
    expect(result.summary).toContain('permutation test stratified by problem');
    // Sample 0 alone (what pairing by sample number saw) is the golden exactly: no regression.
    const sampleZero = now.filter((r) => r.sample === 0);
    expect((await runCheck({ type: 'noRegression', test: 'mcnemar', alpha: 0.05, margin: 0.05 }, ctx(sampleZero))).verdict).toBe('pass');
    // The same run against itself-as-golden pairs by sample as before (no byProblem).
    expect(compareWithGolden(now, now, ['baseline'])[0]!.byProblem).toBeUndefined();
  });

  it('computes the one-sided exact McNemar p-value', () => {
    expect(mcnemarRegressionP(0, 0)).toBe(1);
    expect(mcnemarRegressionP(8, 0)).toBeCloseTo(1 / 256, 12);
    expect(mcnemarRegressionP(3, 1)).toBeCloseTo(5 / 16, 12);
    expect(mcnemarRegressionP(0, 5)).toBe(1);
  });
});
