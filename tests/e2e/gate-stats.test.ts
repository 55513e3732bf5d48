import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { runSuite, type RunSuiteOutcome } from '../../src/runner/run-suite.ts';
import { binomialCdf } from '../../src/metrics/distributions.ts';
import { poolFromRows, simulateGate, type OutcomePool } from '../../src/checks/gate-validation.ts';
import type { LabeledIntervention, ResultRow } from '../../src/checks/types.ts';
import type { InterventionSpec } from '../../src/suite/schema/interventions.ts';
import type { CheckSpecOf } from '../../src/checks/registry.ts';

/**
 * A cheap version of `npm run bench:gate` (which carries the figures): the release gate's design
 * on the simulator, shrunk to 24 problems, run once with 8 samples per problem through the real
 * engine; independent golden/candidate pairs are drawn from that pool (fresh samples for both
 * sides of every pair, no shared golden) and judged by the real noRegression check. Then the
 * committed golden: on a slice of its problems, sim:sim-qwq passes and sim:sim-qwq-regressed fails.
 *
 * Tolerances: with n pairs the alarm count is binomial; an unchanged model may raise at most the
 * smallest k alarms with P(Bin(n, alpha) > k) < 1%, so the test fails by chance rarely if the gate
 * holds alpha, and almost surely if its size were 3 x alpha.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const suiteFile = join(root, 'suites/release-gate.yaml');
const PAIRS = 200;
const ALPHA = 0.05;
const spec: CheckSpecOf<'noRegression'> = { type: 'noRegression', test: 'mcnemar', alpha: ALPHA, margin: 0.05 };

let work: string;
let pool: OutcomePool;

function maxAlarms(n: number, rate: number): number {
  let k = 0;
  while (1 - binomialCdf(k, n, rate) >= 0.01) k++;
  return k;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'thinkprobe-gate-'));
  const raw = parse(readFileSync(suiteFile, 'utf8')) as Record<string, unknown> & { problems: Array<Record<string, unknown>> };
  const { golden: _golden, ...design } = raw;
  const small = join(work, 'release-gate-small.yaml');
  const problems = raw.problems.map((p, i) => ({ ...p, count: i === 0 ? 14 : 10 }));
  writeFileSync(small, stringify({ ...design, problems, samples: 8, checks: [] }));
  const run = await runSuite({ suiteFile: small, seed: 3, out: join(work, 'reports'), html: false, fresh: true, log: () => undefined });
  const data = run.data!;
  const interventions: LabeledIntervention[] = data.interventions.map((i) => ({ label: i.label, intervention: { type: i.type, ...i.params } as InterventionSpec }));
  const rows: ResultRow[] = data.results.map((r) => ({ ...r, capFired: r.capFired ?? false, reflections: [] }));
  pool = poolFromRows(rows, interventions);
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('release gate statistics on independent pairs (suites/release-gate.yaml design, simulator)', () => {
  it('the pool holds every problem x sample x intervention', () => {
    expect(pool.problems).toHaveLength(24);
    expect(pool.samples).toBe(8);
    expect(pool.interventions.map((i) => i.label)).toEqual(['baseline', 'budget(192)', 'stopPhrase']);
  });

  it('the tolerance can fail: a gate of size 3 x alpha would exceed it with high probability', () => {
    const k = maxAlarms(PAIRS, ALPHA);
    expect(k).toBeLessThan(PAIRS * ALPHA * 2);
    expect(1 - binomialCdf(k, PAIRS, 3 * ALPHA)).toBeGreaterThan(0.99);
  });

  for (const samples of [1, 4]) {
    it(`an unchanged model raises false alarms at most at alpha (samples: ${samples})`, () => {
      const result = simulateGate(pool, spec, { samples, drop: 0, pairs: PAIRS, seed: 10 + samples });
      expect(result.alarms, `${result.alarms}/${PAIRS} false alarms`).toBeLessThanOrEqual(maxAlarms(PAIRS, ALPHA));
    });
  }

  it('the regression is exactly the asked drop on every intervention, and with 4 samples the clustered gate catches a 30-point one', () => {
    const result = simulateGate(pool, spec, { samples: 4, drop: 0.3, pairs: 100, seed: 7 });
    for (const d of result.observedDifference) expect(d).toBeCloseTo(-0.3, 1);
    expect(result.alarms / result.pairs).toBeGreaterThanOrEqual(0.8);
    // More samples per problem: more power against the same drop.
    const one = simulateGate(pool, spec, { samples: 1, drop: 0.3, pairs: 100, seed: 7 });
    expect(one.alarms).toBeLessThan(result.alarms);
  });
});

describe('the committed golden (golden/release-gate/sim_sim-qwq.json)', () => {
  // A tenth of the problems: noRegression pairs what the run and the golden share.
  const committed = (model: string): Promise<RunSuiteOutcome> =>
    runSuite({ suiteFile, model, filter: '/\\/\\d*0\\//', out: join(work, 'committed'), html: false, fresh: true, log: () => undefined });
  const gate = (outcome: RunSuiteOutcome) => outcome.checks.find((c) => c.name.startsWith('noRegression'))!;

  it('sim:sim-qwq passes the bundled gate, sim:sim-qwq-regressed fails it, and both say what the gate detects', async () => {
    const ok = await committed('sim:sim-qwq');
    expect(gate(ok).verdict).toBe('pass');
    expect(gate(ok).evidence['golden']).toBe(join(root, 'golden/release-gate/sim_sim-qwq.json'));
    const bad = await committed('sim:sim-qwq-regressed');
    expect(gate(bad).verdict).toBe('fail');
    expect(gate(bad).summary).toMatch(/this gate detects a drop of >= \d+\.\d points with 80% power/);
  }, 300_000);
});
