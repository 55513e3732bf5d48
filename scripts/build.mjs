#!/usr/bin/env node
// Builds the published package into dist/: tsc for the JS and .d.ts, then the files the code reads
// at run time beside itself (JSON, CSS, the grading worker, the report's prebuilt client bundle,
// and the sources the simulator fingerprints). Runs from `prepare` and `prepack`.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const run = (file, args) => execFileSync(process.execPath, [join(root, file), ...args], { cwd: root, stdio: 'inherit' });

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
}

rmSync(dist, { recursive: true, force: true });
run('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.build.json']);

// Data files read through `new URL(..., import.meta.url)`; test fixtures stay behind.
const isTest = (path) => path.includes(`${'/'}fixtures${'/'}`) || path.endsWith('.test.ts');
for (const file of walk(src)) {
  if (isTest(file) || !['.json', '.css'].includes(extname(file))) continue;
  if (file.endsWith('/tsconfig.json')) continue;
  copy(file, join(dist, relative(src, file)));
}

// The grading worker is plain JavaScript that loads the TypeScript grader through tsx. In dist it is
// one bundle: the grader and @cortex-js/compute-engine compiled in, so the published package does not
// depend on compute-engine, whose `engines` (Node >= 22.3) would make `npm i` warn on Node 20
// (thinkprobe's grading tests pass on Node 20 with it).
const workerSource = readFileSync(join(src, 'grading/worker.mjs'), 'utf8')
  .replace(/^import \{ register \} from 'tsx\/esm\/api';\n/m, '')
  .replace(/^register\(\);\n/m, '');
if (/tsx/.test(workerSource)) throw new Error('build: src/grading/worker.mjs changed shape; update scripts/build.mjs');
const BUNDLED = /^@cortex-js\/compute-engine(\/|$)/;
await esbuild.build({
  stdin: { contents: workerSource, resolveDir: join(src, 'grading'), sourcefile: 'worker.mjs', loader: 'js' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: join(dist, 'grading/worker.mjs'),
  logLevel: 'warning',
  legalComments: 'inline',
  plugins: [
    {
      name: 'external-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.test(args.path) ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});

// The report's browser client, bundled now with the same function the sources use, so an installed
// package neither bundles at run time nor ships the client's TypeScript.
const bundleModule = pathToFileURL(join(src, 'reports/html/bundle.ts')).href;
const script = `import { clientBundle } from ${JSON.stringify(bundleModule)};
process.stdout.write(await clientBundle());`;
const client = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, maxBuffer: 64 << 20 });
writeFileSync(join(dist, 'reports/html/client.js'), client);

// The simulator's digest hashes its own sources (src/sim/model/fingerprint.ts): ship the same
// sources beside the compiled files so an installed simulator reports the same model digest.
const { FINGERPRINTED } = await import(pathToFileURL(join(dist, 'sim/model/fingerprint.js')).href);
for (const folder of FINGERPRINTED) {
  const target = fileURLToPath(folder);
  const from = join(src, relative(dist, target));
  for (const name of readdirSync(from)) {
    if ((name.endsWith('.ts') || name.endsWith('.json')) && !name.endsWith('.test.ts')) copy(join(from, name), join(target, name));
  }
}
if (!existsSync(join(dist, 'cli/main.js'))) throw new Error('build: dist/cli/main.js missing');
process.stdout.write(`built ${relative(root, dist)}/\n`);
