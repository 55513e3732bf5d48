import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuite } from '../../src/runner/run-suite.ts';

describe('--update-golden', () => {
  it("writes the run's own model's golden even when the suite compares against another model, and skips noRegression", async () => {
    const work = mkdtempSync(join(tmpdir(), 'thinkprobe-golden-update-'));
    const suiteFile = join(work, 'gate.suite.json');
    writeFileSync(
      suiteFile,
      JSON.stringify({
        name: 'gate',
        golden: { dir: 'golden', model: 'sim:sim-qwq' },
        problems: [{ family: 'arithmetic-chain', count: 4, difficulty: 2, seed: 3 }],
        interventions: [{ type: 'baseline' }],
        checks: [{ type: 'noRegression' }, { type: 'accuracyAtLeast', intervention: 'baseline', min: 0 }],
      }),
    );
    const outcome = await runSuite({ suiteFile, model: 'sim:sim-qwq-regressed', updateGolden: true, out: join(work, 'reports'), html: false, log: () => undefined });
    expect(outcome.goldenWritten).toBe(join(work, 'golden', 'gate', 'sim_sim-qwq-regressed.json'));
    expect(existsSync(join(work, 'golden', 'gate', 'sim_sim-qwq.json'))).toBe(false);
    expect(outcome.checks.map((c) => c.verdict)).toEqual(['skipped', 'pass']);

    // Without a golden for the model it compares against, the gate cannot pass silently.
    const compared = await runSuite({ suiteFile, out: join(work, 'reports'), html: false, log: () => undefined });
    expect(compared.checks[0]?.verdict).not.toBe('pass');
  });
});
