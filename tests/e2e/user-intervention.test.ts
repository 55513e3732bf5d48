import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, thinkprobe, type Ran } from './cli-helpers.ts';
import { loadSuite, type InterventionSpec } from '../../src/suite/index.ts';

/** As JSON (the run's configuration sees it so): without the code a user spec carries beside it. */
const json = (spec: InterventionSpec | undefined): unknown => JSON.parse(JSON.stringify(spec));

/**
 * A user's own intervention inside a suite: a YAML suite names a module (`use:`), a TypeScript
 * suite lists the value. The real CLI runs it on the simulator; its rows reach results.jsonl and
 * the report; bad parameters exit 2 with the suite file and field.
 */

const fixtures = join(root, 'tests/fixtures/interventions');
const module = join(fixtures, 'capAtShare.ts');

function rows(runDir: string): Record<string, unknown>[] {
  return readFileSync(join(runDir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function runDirOf(out: string): string {
  const suiteDir = join(out, 'user-intervention');
  const [dir] = readdirSync(suiteDir);
  return join(suiteDir, dir ?? '');
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'thinkprobe-user-intervention-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('a user intervention in a YAML suite (use: ./module.ts)', () => {
  let ran: Ran;
  let runDir: string;
  beforeAll(async () => {
    const out = join(work, 'yaml');
    ran = await thinkprobe(['run', join(fixtures, 'user.yaml'), '--out', out], work);
    runDir = runDirOf(out);
  }, 300_000);

  it('runs on the simulator and passes its check', () => {
    expect(ran.stderr).not.toMatch(/\n\s+at /);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('capAtShare(0.5)');
    expect(ran.stdout).toContain('quarter');
  });

  it('its rows are in results.jsonl: labelled by its describe (or the suite label), capped where it says', () => {
    const all = rows(runDir);
    const base = new Map(all.filter((r) => r['intervention'] === 'baseline').map((r) => [r['problemId'], r['thinkingTokens'] as number]));
    for (const [label, share] of [['capAtShare(0.5)', 0.5], ['quarter', 0.25]] as const) {
      const mine = all.filter((r) => r['intervention'] === label);
      expect(mine).toHaveLength(3);
      for (const r of mine) {
        expect(r['params']).toEqual({ type: 'capAtShare', share });
        expect(r['capFired']).toBe(true);
        expect(r['thinkingTokens']).toBe(Math.max(1, Math.round(share * (base.get(r['problemId']) ?? 0))));
        expect(typeof r['answer']).toBe('string');
      }
    }
  });

  it('the reports show it, and the run records what identifies it', () => {
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain('| capAtShare\\(0.5\\) | 3 | 0 |');
    expect(readFileSync(join(runDir, 'index.html'), 'utf8')).toContain('quarter');
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { labeled: unknown[] };
    expect(summary.labeled).toContainEqual({ label: 'quarter', intervention: { type: 'user', name: 'capAtShare', use: './capAtShare.ts', params: { share: 0.25 }, label: 'quarter' } });
  });
});

describe('the run identity of a user intervention', () => {
  it('is its name, module path and params: the same suite loads the same, other params differ', async () => {
    const first = await loadSuite(join(fixtures, 'user.yaml'));
    const again = await loadSuite(join(fixtures, 'user.yaml'));
    expect(JSON.stringify(again.suite)).toBe(JSON.stringify(first.suite));
    const other = join(work, 'other.yaml');
    writeFileSync(other, readFileSync(join(fixtures, 'user.yaml'), 'utf8').replace('share: 0.5', 'share: 0.6').replaceAll('./capAtShare.ts', module));
    const changed = await loadSuite(other);
    expect(json(changed.suite.interventions[1])).toEqual({ type: 'user', name: 'capAtShare', use: module, params: { share: 0.6 } });
  });

  it('a TypeScript suite that lists the value gets the same labels', async () => {
    const ts = await loadSuite(join(fixtures, 'user.suite.ts'));
    const yaml = await loadSuite(join(fixtures, 'user.yaml'));
    expect(ts.suite.interventions.map((i) => i.label ?? i.type)).toEqual(yaml.suite.interventions.map((i) => i.label ?? i.type));
    expect(json(ts.suite.interventions[1])).toEqual({ type: 'user', name: 'capAtShare', params: { share: 0.5 } });
  });
});

describe('bad input names the suite file and field', () => {
  const suite = (interventions: string) => `name: bad\nmodel: sim:sim-qwq\nproblems:\n  - { id: a, question: "What is 1+1?", answer: 2 }\ninterventions:\n  - type: baseline\n${interventions}`;

  it.each([
    ['params out of range', `  - use: ${module}\n    params: { share: 2 }\n`, 'bad.yaml:8: /interventions/1/params/share: expected a share of the thinking, above 0 and at most 1, got number 2'],
    ['a missing parameter', `  - use: ${module}\n`, 'bad.yaml:7: /interventions/1/params/share: missing; expected a share of the thinking, above 0 and at most 1'],
    ['an unknown parameter', `  - use: ${module}\n    params: { share: 0.5, shape: 1 }\n`, 'bad.yaml:8: /interventions/1/params/shape: unknown field; expected one of share'],
    ['a module that does not exist', '  - use: ./nowhere.ts\n', 'bad.yaml:7: /interventions/1/use: expected a module file relative to the suite, but "./nowhere.ts" does not exist'],
    ['a module without an intervention', `  - use: ${join(fixtures, 'builtins-plus.ts')}\n`, 'bad.yaml:7: /interventions/1/use: expected the module to export an intervention'],
    ['a field the entry does not have', `  - use: ${module}\n    params: { share: 0.5 }\n    colour: red\n`, 'bad.yaml:9: /interventions/1/colour: unknown field; expected one of use, params, label'],
    ['a label on two lines', `  - use: ${module}\n    params: { share: 0.5 }\n    label: "a\\nb"\n`, 'bad.yaml:9: /interventions/1/label: expected a one-line label'],
  ])('%s', async (_name, entry, line) => {
    const file = join(work, 'bad.yaml');
    writeFileSync(file, suite(entry));
    await expect(loadSuite(file)).rejects.toThrow(`${work}/${line}`);
  });

  it('a TypeScript suite listing the value with bad params', async () => {
    const file = join(work, 'bad.suite.ts');
    const body = `{ name: 'bad', model: 'sim:sim-qwq', problems: [{ id: 'a', question: 'q', answer: '1' }], interventions: [{ type: 'baseline' }, { ...capAtShare, params: { share: -1 } }] }`;
    writeFileSync(file, `import { defineSuite } from 'thinkprobe';\nimport capAtShare from ${JSON.stringify(module)};\nexport default defineSuite(${body});\n`);
    // The TypeScript locator names the line of the bad field (line 3: the defineSuite call).
    const message = await loadSuite(file).then(() => '', (error: Error) => error.message);
    expect(message.startsWith(`${file}:3:`)).toBe(true);
    expect(message).toMatch(/^[^ ]+:3:\d+: \/interventions\/1\/params\/share: expected a share of the thinking, above 0 and at most 1, got number -1$/);
  });

  it('the CLI exits 2 with that one line', async () => {
    const file = join(work, 'bad-cli.yaml');
    writeFileSync(file, suite(`  - use: ${module}\n    params: { share: 2 }\n`));
    const ran = await thinkprobe(['run', file, '--out', join(work, 'bad-out')], work);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`${file}:8: /interventions/1/params/share: expected a share of the thinking, above 0 and at most 1, got number 2`);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
