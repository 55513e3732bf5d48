import { build, type Plugin } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** This package's root: src/suite/ in a clone, dist/suite/ in an installed package. */
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Running from the TypeScript sources (a clone, tests): `thinkprobe` resolves to src/, else dist/. */
const fromSources = import.meta.url.endsWith('.ts');
const ownCode = [join(packageRoot, 'src') + sep, join(packageRoot, 'dist') + sep];
const builtins = new Set(builtinModules);

function isBare(path: string): boolean {
  return !path.startsWith('.') && !isAbsolute(path) && !/^[a-z][a-z0-9+.-]+:/i.test(path);
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * What the user wrote (the suite and its local helpers) is bundled and compiled; everything else
 * stays a live import by absolute file URL, so the suite shares one `thinkprobe` with the running
 * CLI and packages load as Node loads them. `thinkprobe` always means the running package, and a
 * package the suite's folder lacks (fast-check, say) resolves from thinkprobe's own dependencies.
 */
function externals(): Plugin {
  return {
    name: 'thinkprobe-suite-externals',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData === 'resolving') return undefined;
        if (args.path.startsWith('node:') || builtins.has(args.path)) return { path: args.path, external: true };
        // A file URL is a path; other schemes (data:, https:) are Node's to load or refuse.
        const specifier = args.path.startsWith('file:') ? fileURLToPath(args.path) : args.path;
        if (/^[a-z][a-z0-9+.-]+:/i.test(specifier) && !isAbsolute(specifier)) return { path: specifier, external: true };
        const bare = isBare(specifier);
        const own = bare && packageName(specifier) === 'thinkprobe';
        const from = own ? packageRoot : args.resolveDir;
        let resolved = await b.resolve(specifier, { kind: args.kind, resolveDir: from, pluginData: 'resolving' });
        if (resolved.errors.length > 0 && bare && !own) {
          resolved = await b.resolve(specifier, { kind: args.kind, resolveDir: packageRoot, pluginData: 'resolving' });
        }
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const path = resolved.path;
        const external = bare || path.includes(`${sep}node_modules${sep}`) || ownCode.some((dir) => path.startsWith(dir));
        return external ? { path: pathToFileURL(path).href, external: true } : { path };
      });
    },
  };
}

/**
 * Imports a user's TypeScript (or JavaScript) suite file from any folder: whatever its
 * package.json says (`"type": "module"` or not), with or without thinkprobe installed beside it.
 * esbuild compiles the suite and its local imports into one ES module in a temporary folder, which
 * Node then imports; nothing is written beside the suite.
 */
export async function importSuiteModule(path: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(path).href;
  const result = await build({
    entryPoints: [path],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    sourcemap: 'inline',
    conditions: fromSources ? ['thinkprobe-source'] : [],
    // The bundle runs from a temporary folder; the suite still sees its own location.
    define: {
      'import.meta.url': JSON.stringify(url),
      'import.meta.filename': JSON.stringify(path),
      'import.meta.dirname': JSON.stringify(dirname(path)),
    },
    plugins: [externals()],
  });
  const code = result.outputFiles[0]?.text ?? '';
  const dir = await mkdtemp(join(tmpdir(), 'thinkprobe-suite-'));
  const file = join(dir, `${basename(path).replace(/\.[^.]+$/, '')}.mjs`);
  try {
    await writeFile(file, code);
    return (await import(pathToFileURL(file).href)) as { default?: unknown };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
