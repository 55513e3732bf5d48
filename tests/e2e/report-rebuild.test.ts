import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/reports/compare.ts';
import { loadRun } from '../../src/runner/load-run.ts';
import { runSuite, type RunSuiteOutcome } from '../../src/runner/run-suite.ts';
import { InputError } from '../../src/core/errors.ts';

const work = mkdtempSync(join(tmpdir(), 'thinkprobe-rebuild-'));
const suiteFile = join(work, 'rebuild.suite.json');

async function run(model: string): Promise<RunSuiteOutcome> {
  return runSuite({ suiteFile, model, out: join(work, 'reports'), html: false, log: () => undefined });
}

describe('a finished run folder', () => {
  let a: RunSuiteOutcome;
  let b: RunSuiteOutcome;

  beforeAll(async () => {
    writeFileSync(
      suiteFile,
      JSON.stringify({
        name: 'rebuild',
        problems: [{ family: 'linear-equation', count: 8, difficulty: 3, seed: 11 }],
        interventions: [{ type: 'baseline' }, { type: 'budget', tokens: 96 }, { type: 'probes', every: 48 }],
        checks: [{ type: 'accuracyAtLeast', intervention: 'baseline', min: 0.2 }],
      }),
    );
    a = await run('sim:sim-fast');
    b = await run('sim:sim-qwq-regressed');
  });

  afterAll(() => undefined);

  it('rebuilds exactly the report data the run showed, from its stored records', () => {
    expect(a.status).toBe('completed');
    const rebuilt = loadRun(a.runDir).data;
    expect(JSON.parse(JSON.stringify(rebuilt))).toEqual(JSON.parse(JSON.stringify(a.data)));
    expect(rebuilt.results).toHaveLength(8 * 3);
    expect(rebuilt.results.some((r) => r.confidence.some((c) => typeof c.lhat === 'number'))).toBe(true);
  });

  it('compares two runs pairwise, with flips that match the paired counts', () => {
    const { data, rows } = compareRuns(loadRun(a.runDir).data, loadRun(b.runDir).data);
    expect(rows.map((r) => r.intervention)).toEqual(['baseline', 'budget(96)', 'probes(every=48)']);
    for (const row of rows) {
      expect(row.pairs).toBe(8);
      const flips = data.results.filter((r) => r.intervention === `B:${row.intervention}` && r.flip);
      expect(flips.filter((r) => r.flip === 'lost')).toHaveLength(row.lost);
      expect(flips.filter((r) => r.flip === 'gained')).toHaveLength(row.gained);
    }
    expect(data.interventions.map((i) => i.label)).toContain('A:baseline');
    expect(data.interventions.map((i) => i.label)).toContain('B:baseline');
  });

  it('refuses a folder that is not a finished run with one clear line', () => {
    expect(() => loadRun(work)).toThrow(InputError);
    const summary = join(a.runDir, 'summary.json');
    const saved = readFileSync(summary, 'utf8');
    writeFileSync(summary, '{"run": 1}');
    try {
      expect(() => loadRun(a.runDir)).toThrow(/summary\.json: expected fields run\.id/);
    } finally {
      writeFileSync(summary, saved);
    }
  });
});
