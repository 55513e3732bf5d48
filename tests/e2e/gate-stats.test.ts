import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { runSuite, type RunSuiteOutcome } from '../../src/runner/run-suite.ts';
import { binomialCdf } from '../../src/metrics/distributions.ts';

/**
 * The release gate's statistics on the simulator, over many seeded runs of the bundled
 * suites/release-gate.yaml (in-process, no HTML). The golden comes from one seed (the suite's, 0);
 * the runs use other seeds, so golden and run differ by sampling noise alone on an unchanged model
 * (the hardest case for false alarms: same-seed runs reproduce the golden exactly).
 *
 * The claims checked are the ones the suite states in its description ("detects the regressed
 * card in >= P% of runs; false alarms on an unchanged model <= A%"). With n seeded runs the
 * observed counts are binomial, so each claim gets a tolerance chosen so that the test fails with
 * small probability (< 5%) if the claim were exactly true, and fails with high probability when it
 * is clearly false:
 *   - false alarms: at most the smallest k with P(Bin(n, A) > k) < 0.05 (n = 20, A = 5%: k = 3,
 *     P(X >= 4) = 1.6%); a gate whose real false-alarm rate were 25% would show >= 4 alarms with
 *     probability 77%.
 *   - power: at least the largest k with P(Bin(n, P) < k) < 0.05 (n = 20, P = 90%: k = 16,
 *     P(X <= 15) = 4.3%); a gate with real power 60% would reach 16 with probability 5%.
 * The seeds are fixed, so the outcome is reproducible; the tolerances say how much a change of
 * seeds could move it. Measured (sim at the time of writing): 1/20 false alarms (stopPhrase,
 * 13 regressed / 3 improved against the seed-0 golden), 20/20 detections (budget(192) alone
 * typically 19-21 regressed / 0-1 improved).
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const suiteFile = join(root, 'suites/release-gate.yaml');
const RUNS = 20;

interface Claims {
  power: number;
  falseAlarms: number;
}

function claimsOf(description: string): Claims {
  const power = /detects the regressed card in >= (\d+)% of runs/i.exec(description);
  const falseAlarms = /false alarms on an unchanged model <= (\d+)%/i.exec(description);
  if (!power || !falseAlarms) throw new Error(`release-gate's description no longer states its claims: ${description}`);
  return { power: Number(power[1]) / 100, falseAlarms: Number(falseAlarms[1]) / 100 };
}

/** The most alarms an unchanged model may raise in n runs before the claimed rate is rejected at 5%. */
function maxAlarms(n: number, rate: number): number {
  let k = 0;
  while (1 - binomialCdf(k, n, rate) >= 0.05) k++;
  return k;
}

/** The fewest detections in n runs that do not reject the claimed power at 5%. */
function minDetections(n: number, power: number): number {
  let k = n;
  while (k > 0 && binomialCdf(k - 1, n, power) >= 0.05) k--;
  return k;
}

function gateVerdict(outcome: RunSuiteOutcome): string {
  const gate = outcome.checks.find((c) => c.name.startsWith('noRegression'));
  if (!gate) throw new Error('release-gate has no noRegression check');
  return gate.verdict;
}

let work: string;
let scratchSuite: string;
const raw = parse(readFileSync(suiteFile, 'utf8')) as { description: string; golden?: { dir?: string; model?: string } };
const claims = claimsOf(raw.description);

async function run(model: string, seed: number, options: { updateGolden?: boolean; suite?: string } = {}): Promise<RunSuiteOutcome> {
  return runSuite({
    suiteFile: options.suite ?? scratchSuite,
    model,
    seed,
    out: join(work, 'reports'),
    html: false,
    fresh: true,
    ...(options.updateGolden ? { updateGolden: true } : {}),
    log: () => undefined,
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'thinkprobe-gate-'));
  // The bundled suite with its golden in the scratch folder, so the committed one is untouched.
  scratchSuite = join(work, 'release-gate.yaml');
  writeFileSync(scratchSuite, stringify({ ...raw, golden: { ...raw.golden, dir: join(work, 'golden') } }));
  const golden = await run('sim:sim-qwq', 0, { updateGolden: true });
  expect(golden.goldenWritten).toBe(join(work, 'golden/release-gate/sim_sim-qwq.json'));
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('release gate statistics (suites/release-gate.yaml on the simulator)', () => {
  it('the tolerances can fail: they sit inside the binomial range of the claims', () => {
    expect(maxAlarms(RUNS, claims.falseAlarms)).toBe(3);
    expect(minDetections(RUNS, claims.power)).toBe(16);
    expect(claims.power).toBeGreaterThanOrEqual(0.9);
  });

  it(`an unchanged model (sim:sim-qwq, seeds 1..${RUNS}) raises false alarms at most at the claimed rate`, async () => {
    const verdicts: string[] = [];
    for (let seed = 1; seed <= RUNS; seed++) verdicts.push(gateVerdict(await run('sim:sim-qwq', seed)));
    expect(verdicts.every((v) => v === 'pass' || v === 'fail')).toBe(true);
    const alarms = verdicts.filter((v) => v === 'fail').length;
    expect(alarms, `${alarms}/${RUNS} false alarms (claim <= ${claims.falseAlarms})`).toBeLessThanOrEqual(maxAlarms(RUNS, claims.falseAlarms));
  }, 240_000);

  it(`detects sim:sim-qwq-regressed (seeds 1..${RUNS}) with the claimed power`, async () => {
    let detected = 0;
    for (let seed = 1; seed <= RUNS; seed++) if (gateVerdict(await run('sim:sim-qwq-regressed', seed)) === 'fail') detected++;
    expect(detected, `${detected}/${RUNS} detections (claim >= ${claims.power})`).toBeGreaterThanOrEqual(minDetections(RUNS, claims.power));
  }, 240_000);

  it('the committed golden: sim:sim-qwq passes the bundled suite as is, sim:sim-qwq-regressed fails it', async () => {
    const committed = (model: string) =>
      runSuite({ suiteFile, model, out: join(work, 'committed'), html: false, fresh: true, log: () => undefined });
    const ok = await committed('sim:sim-qwq');
    expect(ok.checks.map((c) => [c.name, c.verdict])).toEqual(ok.checks.map((c) => [c.name, 'pass']));
    const bad = await committed('sim:sim-qwq-regressed');
    expect(gateVerdict(bad)).toBe('fail');
    expect(bad.checks.find((c) => c.name.startsWith('noRegression'))?.evidence['golden']).toBe(join(root, 'golden/release-gate/sim_sim-qwq.json'));
  }, 120_000);
});
