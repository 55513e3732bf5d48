import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { runSuite, type RunSuiteOutcome } from '../../src/runner/run-suite.ts';
import { binomialCdf } from '../../src/metrics/distributions.ts';
import { poolFromRows, simulateGate, type OutcomePool } from '../../src/checks/gate-validation.ts';
import { simulateAgainst } from '../../bench/gate-pairs.ts';
import type { LabeledIntervention, ResultRow } from '../../src/checks/types.ts';
import type { InterventionSpec } from '../../src/suite/schema/interventions.ts';
import type { CheckSpecOf } from '../../src/checks/registry.ts';

/**
 * A cheap version of `npm run bench:gate`, which carries the figures (400 pairs per condition on
 * the full 432-problem suite): the release gate's design on the simulator, shrunk to 24 problems.
 * Two real runs through the engine: sim:sim-qwq with 8 samples per problem (the pool of the
 * unchanged model) and the real regressed card sim:sim-qwq-minus5 (5 accuracy points worse in
 * expectation; src/sim/cards/README.md) with 4 samples and other seeds. Independent
 * golden/candidate pairs are drawn from those pools as the bench draws them (fresh samples on both
 * sides of every pair, no shared golden; the candidates of the power test are the card's own runs,
 * bench/gate-pairs.ts) and judged by the real noRegression check. Fewer pairs than the bench, and
 * on 24 problems a 5-point drop is caught only with samples: 4, so the power test asserts that the
 * gate alarms on the card far more often than it can on an unchanged model, not the bench's 80%.
 * Then the committed golden: on a slice of its problems, sim:sim-qwq passes and sim:sim-qwq-regressed fails.
 *
 * Tolerances: with n pairs the alarm count is binomial; an unchanged model may raise at most the
 * smallest k alarms with P(Bin(n, alpha) > k) < 1%, so the test fails by chance rarely if the gate
 * holds alpha, and almost surely if its size were 3 x alpha.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const suiteFile = join(root, 'suites/release-gate.yaml');
const PAIRS = 200;
/** Pairs of the power test against the real card (the bench runs 400 on the full suite). */
const CARD_PAIRS = 100;
const REGRESSED = 'sim:sim-qwq-minus5';
const ALPHA = 0.05;
const spec: CheckSpecOf<'noRegression'> = { type: 'noRegression', test: 'mcnemar', alpha: ALPHA, margin: 0.05 };

let work: string;
let pool: OutcomePool;
let regressed: OutcomePool;

function maxAlarms(n: number, rate: number): number {
  let k = 0;
  while (1 - binomialCdf(k, n, rate) >= 0.01) k++;
  return k;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'thinkprobe-gate-'));
  const raw = parse(readFileSync(suiteFile, 'utf8')) as Record<string, unknown> & { problems: Array<Record<string, unknown>> };
  const { golden: _golden, ...design } = raw;
  const problems = raw.problems.map((p, i) => ({ ...p, count: i === 0 ? 14 : 10 }));
  const poolOf = async (model: string, samples: number, seed: number): Promise<OutcomePool> => {
    const small = join(work, `release-gate-small-${seed}.yaml`);
    writeFileSync(small, stringify({ ...design, problems, samples, checks: [] }));
    const run = await runSuite({ suiteFile: small, model, seed, out: join(work, 'reports'), html: false, fresh: true, log: () => undefined });
    const data = run.data!;
    const interventions: LabeledIntervention[] = data.interventions.map((i) => ({ label: i.label, intervention: { type: i.type, ...i.params } as InterventionSpec }));
    const rows: ResultRow[] = data.results.map((r) => ({ ...r, capFired: r.capFired ?? false, reflections: [] }));
    return poolFromRows(rows, interventions);
  };
  pool = await poolOf('sim:sim-qwq', 8, 3);
  // Other seeds than the base pool's: the card shares sim-qwq's traces, so the same seeds would make its runs copies of the golden's.
  regressed = await poolOf(REGRESSED, 4, 3 + 7919);
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

  it(`against real runs of ${REGRESSED} the gate alarms far above its false-alarm ceiling with 4 samples, and more than with 1`, () => {
    expect(regressed.problems).toEqual(pool.problems);
    expect(regressed.samples).toBe(4);
    const four = simulateAgainst(pool, regressed, spec, { samples: 4, pairs: CARD_PAIRS, seed: 7 });
    // The card is worse: the candidates' mean accuracy over the interventions is below the goldens'.
    const mean = four.observedDifference.reduce((a, b) => a + b, 0) / four.observedDifference.length;
    expect(mean).toBeLessThan(0);
    // An unchanged model exceeds maxAlarms with probability < 1%; the card must, and by far.
    expect(four.alarms, `${four.alarms}/${CARD_PAIRS} alarms`).toBeGreaterThan(3 * maxAlarms(CARD_PAIRS, ALPHA));
    // More samples per problem: more power against the same card.
    const one = simulateAgainst(pool, regressed, spec, { samples: 1, pairs: CARD_PAIRS, seed: 7 });
    expect(one.alarms).toBeLessThan(four.alarms);
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
