import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSuite } from '../../src/runner/run-suite.ts';

const api = pathToFileURL(join(process.cwd(), 'src/index.ts')).href;

describe('Ctrl-C while property checks run', () => {
  it('leaves the run resumable instead of failing the check and writing a finished run', async () => {
    const work = mkdtempSync(join(tmpdir(), 'thinkprobe-interrupt-checks-'));
    const suiteFile = join(work, 'interrupt.suite.ts');
    writeFileSync(
      suiteFile,
      `import { defineSuite, property, fc } from ${JSON.stringify(api)};
export default defineSuite({
  name: 'interrupt',
  problems: [{ family: 'arithmetic-chain', count: 3, difficulty: 1, seed: 5 }],
  interventions: [{ type: 'baseline' }],
  checks: [
    property('budgets keep some accuracy', fc.integer({ min: 32, max: 64 }), async (tokens, t) => {
      (globalThis as { __stopRun?: () => void }).__stopRun?.();
      return t.accuracy(await t.evaluate({ type: 'budget', tokens })) >= 0;
    }, { numRuns: 3 }),
  ],
});
`,
    );
    const out = join(work, 'reports');
    const controller = new AbortController();
    (globalThis as { __stopRun?: () => void }).__stopRun = () => controller.abort(new Error('interrupted'));
    const stopped = await runSuite({ suiteFile, out, html: false, signal: controller.signal, log: () => undefined });
    expect(stopped.status).toBe('interrupted');
    expect(existsSync(join(stopped.runDir, 'summary.json'))).toBe(false);

    delete (globalThis as { __stopRun?: () => void }).__stopRun;
    const resumed = await runSuite({ suiteFile, out, html: false, log: () => undefined });
    expect(resumed.status).toBe('completed');
    expect(resumed.runDir).toBe(stopped.runDir);
    expect(resumed.checks.map((c) => c.verdict)).toEqual(['pass']);
  });
});
