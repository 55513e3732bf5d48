import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package as a user meets it: `npm pack` (which builds dist/), installed into an empty project,
 * then the CLI on a TypeScript and a YAML suite, the types through tsc, and the vitest integration.
 * One pack and one install serve every test here.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
const vitestVersion = (JSON.parse(readFileSync(join(repo, 'node_modules/vitest/package.json'), 'utf8')) as { version: string }).version;
const tsc = join(repo, 'node_modules/typescript/bin/tsc');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

// npm run by `npm test` passes its own settings down as npm_* variables; the user's project has none.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

function sh(command: string, args: string[], cwd: string, timeout = 300_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...env, CI: 'true', NO_COLOR: '1' }, timeout, maxBuffer: 32 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const SUITE_TS = `import { defineSuite } from 'thinkprobe';
import { problems } from './problems.ts';

export default defineSuite({
  name: 'packed-ts',
  model: 'sim:sim-qwq',
  problems,
  samples: 1,
  maxThinkingTokens: 512,
  interventions: [{ type: 'baseline' }, { type: 'noThinking' }],
  checks: [
    { type: 'accuracyAtLeast', intervention: 'baseline', min: 0.1 },
    { name: 'impossible accuracy', type: 'accuracyAtLeast', intervention: 'noThinking', min: 1, bound: 'wilsonLower' },
  ],
});
`;
const PROBLEMS_TS = `export const problems = [{ family: 'arithmetic-chain' as const, count: 2, difficulty: 2, seed: 1 }];\n`;
const SUITE_YAML = `name: packed-yaml
model: sim:sim-qwq
problems:
  - { family: arithmetic-chain, count: 2, difficulty: 2, seed: 2 }
samples: 1
maxThinkingTokens: 512
interventions:
  - type: baseline
  - use: ./capAtShare.ts
    params: { share: 0.5 }
checks:
  - type: accuracyAtLeast
    intervention: baseline
    min: 0.1
`;
const TYPO_TS = `import { defineSuite } from 'thinkprobe';
export default defineSuite({ name: 'typo', model: 'sim:sim-qwq', problems: [], interventions: [], checks: [], maxThinkingTokenz: 5 });
`;
const TSCONFIG = JSON.stringify({ compilerOptions: { module: 'preserve', moduleResolution: 'bundler', strict: true, noEmit: true, allowImportingTsExtensions: true, skipLibCheck: true, types: [] } });
const GATE_TEST = `import { suiteTests } from 'thinkprobe/vitest';
suiteTests(new URL('../suites/gate.suite.ts', import.meta.url), { out: 'vitest-reports' });
`;

let work: string;
let project: string;
let tarballFiles: string[] = [];
let installOutput = '';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'thinkprobe-pack-'));
  project = join(work, 'project');
  mkdirSync(project);
  const packed = await sh('npm', ['pack', '--json', '--pack-destination', work], repo);
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error('npm pack printed no tarball');
  tarballFiles = info.files.map((f) => f.path);
  await sh('npm', ['init', '-y'], project);
  // --ignore-scripts: better-sqlite3's install script downloads its binary from GitHub; the same
  // version's binary, already built for this Node by `npm ci`, is copied in instead.
  const installed = await sh('npm', ['i', '-D', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, info.filename), `vitest@${vitestVersion}`], project);
  if (installed.code !== 0) throw new Error(`npm install failed:\n${installed.stderr}`);
  installOutput = installed.stdout + installed.stderr;
  const binary = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  mkdirSync(join(project, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
  copyFileSync(join(repo, binary), join(project, binary));

  // A suite folder of its own, with a package.json that is not "type": "module" and a local import.
  mkdirSync(join(project, 'suites'));
  writeFileSync(join(project, 'suites/package.json'), JSON.stringify({ name: 'suites', version: '1.0.0' }));
  writeFileSync(join(project, 'suites/gate.suite.ts'), SUITE_TS);
  writeFileSync(join(project, 'suites/problems.ts'), PROBLEMS_TS);
  writeFileSync(join(project, 'suites/typo.suite.ts'), TYPO_TS);
  writeFileSync(join(project, 'quick.yaml'), SUITE_YAML);
  // A user intervention the YAML suite names (`use:`): loaded and typed from the installed package.
  copyFileSync(join(repo, 'tests/fixtures/interventions/capAtShare.ts'), join(project, 'capAtShare.ts'));
  writeFileSync(join(project, 'tsconfig.json'), TSCONFIG);
  mkdirSync(join(project, 'test'));
  writeFileSync(join(project, 'test/gate.test.ts'), GATE_TEST);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships compiled JavaScript, types and run-time files, not the TypeScript sources', () => {
    for (const file of ['bin/thinkprobe.js', 'dist/index.js', 'dist/types/index.d.ts', 'dist/vitest.js', 'dist/types/vitest.d.ts', 'dist/cli/main.js', 'dist/grading/worker.mjs', 'dist/reports/html/client.js', 'dist/sim/cards/sim-qwq.json']) {
      expect(tarballFiles).toContain(file);
    }
    expect(tarballFiles.filter((f) => f.startsWith('src/') || f.startsWith('tests/') || f.endsWith('.test.ts'))).toEqual([]);
  });

  it('installs without an engine warning on this Node', () => {
    expect(installOutput).not.toContain('EBADENGINE');
  });

  it('prints its version', async () => {
    const result = await sh('npx', ['thinkprobe', '--version'], project);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('runs a TypeScript suite from its own folder and a YAML suite, from another working directory', async () => {
    const out = join(work, 'runs');
    const bin = join(project, 'node_modules/.bin/thinkprobe');
    const result = await sh(bin, ['run', join(project, 'suites/gate.suite.ts'), join(project, 'quick.yaml'), '--out', out], work);
    expect(result.stderr).not.toMatch(/internal error|Cannot require|ERR_/);
    // One check of the TypeScript suite cannot pass: exit code 1, and both suites ran.
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('impossible accuracy');
    expect(result.stdout).toContain('accuracyAtLeast(baseline >= 0.1)');
    expect(result.stdout).toMatch(/packed-ts\/\S+/);
    expect(result.stdout).toMatch(/packed-yaml\/\S+/);
    expect(result.stdout).toContain('capAtShare(0.5)');
    const runDir = /Report\s+(\S*packed-ts\/\S+)/.exec(result.stdout)?.[1];
    expect(runDir && existsSync(join(runDir.startsWith('/') ? '' : work, runDir, 'index.html'))).toBe(true);
  });

  it('grades symbolically with the computer algebra bundled into its grading worker', async () => {
    const result = await sh('npx', ['thinkprobe', 'grade', '2\\sqrt{2}', '\\sqrt{8}'], project);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ equivalent: true, method: 'symbolic' });
  });

  it('types a suite with thinkprobe’s own declarations: a misspelt field is a type error', async () => {
    const checked = await sh(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], project);
    expect(checked.stdout).toContain('node_modules/thinkprobe/dist/types/index.d.ts');
    expect(checked.stdout).toContain('node_modules/thinkprobe/dist/types/vitest.d.ts');
    expect(checked.stdout).toContain('suites/typo.suite.ts');
    expect(checked.stdout).toMatch(/typo\.suite\.ts\(\d+,\d+\): error TS\d+:.*maxThinkingTokenz/);
    expect(checked.stdout).not.toMatch(/gate\.suite\.ts\(|problems\.ts\(|gate\.test\.ts\(|capAtShare\.ts\(/);
    expect(checked.stdout).toContain('capAtShare.ts');
  });

  it('turns a suite into vitest tests, one per check, with the evidence of a failing check', async () => {
    const result = await sh('npx', ['vitest', 'run', '--reporter', 'verbose'], project);
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(1);
    expect(output).toMatch(/✓ .*accuracyAtLeast\(baseline >= 0\.1\)/);
    expect(output).toMatch(/× .*impossible accuracy/);
    expect(output).toContain('impossible accuracy: fail');
    expect(output).toMatch(/evidence: \{[\s\S]*"intervention": "noThinking"/);
    expect(output).toContain('1 failed | 1 passed');
  });
});
