import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSuite } from './load.ts';
import { importSuiteModule } from './import-ts.ts';

const SUITE = `import { defineSuite } from 'thinkprobe';
import fc from 'fast-check';
import { problems } from './helpers/problems.ts';

export const where = import.meta.url;
export const arbitrary = typeof fc.integer;
export default defineSuite({ name: 'elsewhere', problems, interventions: [{ type: 'baseline' }] });
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'thinkprobe-import-ts-'));
  // A folder of its own: a CommonJS package.json, no node_modules, a local helper module.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'elsewhere', version: '1.0.0' }));
  mkdirSync(join(dir, 'helpers'));
  writeFileSync(join(dir, 'helpers/problems.ts'), "export const problems = [{ family: 'arithmetic-chain' as const, count: 2 }];\n");
  writeFileSync(join(dir, 'a.suite.ts'), SUITE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TypeScript suites from any folder', () => {
  it('load in a CommonJS package without thinkprobe installed, with local and package imports', async () => {
    const module = (await importSuiteModule(join(dir, 'a.suite.ts'))) as { default?: { name: string }; where?: string; arbitrary?: string };
    expect(module.default?.name).toBe('elsewhere');
    expect(module.arbitrary).toBe('function');
    // The compiled module runs from a temporary folder but sees the suite's own location, and leaves nothing behind.
    expect(module.where).toBe(pathToFileURL(join(dir, 'a.suite.ts')).href);
    expect(readdirSync(dir).sort()).toEqual(['a.suite.ts', 'helpers', 'package.json']);
    const { suite } = await loadSuite(join(dir, 'a.suite.ts'));
    expect(suite.problems).toHaveLength(1);
  });

  it('accept thinkprobe imported by file URL', async () => {
    const file = join(dir, 'url.suite.ts');
    writeFileSync(file, `import { defineSuite } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};\nexport default defineSuite({ name: 'by-url', problems: [{ family: 'arithmetic-chain', count: 1 }], interventions: [{ type: 'baseline' }] });\n`);
    expect((await loadSuite(file)).suite.name).toBe('by-url');
  });

  it('name the file and line of an import that cannot be resolved', async () => {
    const file = join(dir, 'missing.suite.ts');
    writeFileSync(file, "import { defineSuite } from 'thinkprobe';\nimport x from 'no-such-package-here';\nexport default defineSuite(x);\n");
    await expect(loadSuite(file)).rejects.toThrow(/missing\.suite\.ts:2: could not be loaded: Could not resolve "no-such-package-here"/);
  });
});
