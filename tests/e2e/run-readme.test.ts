import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labeledInterventions, loadSuite } from '../../src/suite/index.ts';

/**
 * The README's suite examples and the bundled suites are valid suites whose checks name
 * interventions that exist (a typo in a label would only show at run time, as a check error).
 * Running them is covered by the run-cli and gate tests and by the README's own commands.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'thinkprobe-readme-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function block(lang: string, marker: string): string {
  const found = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)].find((m) => m[1] === lang && (m[2] ?? '').includes(marker));
  if (!found?.[2]) throw new Error(`README has no ${lang} block containing ${marker}`);
  return found[2];
}

async function expectValid(file: string): Promise<void> {
  const { suite } = await loadSuite(file);
  const labels = new Set(labeledInterventions(suite).map((l) => l.label));
  for (const check of suite.checks) {
    if (!('type' in check)) continue; // TypeScript property checks name no intervention label
    for (const key of ['intervention', 'baseline', 'of'] as const) {
      const value = (check as Record<string, unknown>)[key];
      if (typeof value === 'string') expect(labels, `${file}: ${check.type}.${key}`).toContain(value);
    }
  }
}

describe('README and bundled suites', () => {
  it('the README TypeScript suite example loads and validates', async () => {
    const file = join(work, 'mine.suite.ts');
    // In a project, 'thinkprobe' is the installed package; here, the source it points to.
    writeFileSync(file, block('ts', 'defineSuite').replace("from 'thinkprobe'", `from ${JSON.stringify(join(root, 'src/index.ts'))}`));
    await expectValid(file);
  });

  it('the README YAML suite example loads and validates', async () => {
    const file = join(work, 'mine.yaml');
    writeFileSync(file, block('yaml', 'name: mine-yaml'));
    await expectValid(file);
  });

  it('every bundled suite loads, runs on the simulator by default, and names existing interventions in its checks', async () => {
    const files = readdirSync(join(root, 'suites')).filter((f) => /\.(suite\.ts|ya?ml|json)$/.test(f));
    expect(files.sort()).toEqual(['budgets.suite.ts', 'confidence.yaml', 'quickstart.suite.ts', 'reflection.suite.ts', 'release-gate.yaml', 'termination.yaml']);
    for (const f of files) {
      await expectValid(join(root, 'suites', f));
      const { suite } = await loadSuite(join(root, 'suites', f));
      expect(suite.model, f).toBe('sim:sim-qwq');
    }
  });
});
