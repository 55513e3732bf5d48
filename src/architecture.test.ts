import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The stage order of src/, lowest first: a module may import its own stage and earlier ones,
 * never a later one. Type-only imports count (they couple the code as much as value imports do),
 * and so do dynamic `import()`s and `export ... from`. Test code (`*.test.ts`, `fixtures.ts`,
 * `fixtures/`) may import any stage and tests/ (a unit test may use real higher parts, e.g. a plan
 * test building real interventions), but no production module may import test code, so tests add
 * no edge to the graph. The reasons for the places that differ from the pipeline's naive order are
 * in src/README.md.
 *
 * A stage is a folder (or a sub-folder, where one folder holds two stages); the longest prefix wins.
 */
export const STAGES: readonly string[] = [
  'core', // errors, exit codes, version, validator, TypeBox helpers, PRNG
  'problems', // the Problem, datasets, generated families, the problem-source schema
  'sim/cards', // the simulator beside the pipeline: it uses only problems and core
  'sim/model',
  'sim/server',
  'suite/schema', // the suite spec: what an intervention or a check is, as data
  'results', // the results model checks, golden files and reports share
  'backends',
  'templates',
  'trace',
  'store',
  'grading',
  'confidence',
  'metrics',
  'plan',
  'engine', // runs trace trees; implements the tree API that src/plan declares
  'interventions', // programs against src/plan's tree API (imports nothing from the engine)
  'golden',
  'checks',
  'suite', // loading and validating suite files
  'reports',
  'runner',
  'cli',
  'sim/calibration', // measures the simulator through the whole pipeline
  '', // src/index.ts and src/vitest.ts: the public entry points
];

const SRC = dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(?:ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The stage of a file under src/: the longest stage folder that contains it ('' for src/ itself). */
export function stageOf(file: string): string {
  const rel = relative(SRC, file).split(sep).join('/');
  const matches = STAGES.filter((stage) => stage !== '' && rel.startsWith(`${stage}/`));
  return matches.sort((a, b) => b.length - a.length)[0] ?? '';
}

/** Every relative module specifier in a source: static imports and re-exports (type-only too) and `import()` with a string. */
export function relativeImports(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((name) => name.startsWith('.'));
}

interface Edge {
  from: string;
  to: string;
  fromStage: string;
  toStage: string;
}

function edges(): Edge[] {
  return sourceFiles(SRC).flatMap((file) =>
    relativeImports(readFileSync(file, 'utf8')).map((spec) => {
      const target = resolve(dirname(file), spec);
      return { from: relative(SRC, file), to: relative(SRC, target), fromStage: stageOf(file), toStage: stageOf(target) };
    }),
  );
}

const isTest = (file: string): boolean => /\.test\.ts$|(?:^|\/)fixtures(?:\.ts$|\/)/.test(file.split(sep).join('/'));

describe('src/ imports run one way', () => {
  const all = edges();

  it('the walk sees the imports it should (type-only, re-exports, dynamic)', () => {
    expect(relativeImports("import type { A } from './a.ts';\nexport { b } from '../b.ts';\nconst c = await import('./c.ts');")).toEqual([
      './a.ts',
      '../b.ts',
      './c.ts',
    ]);
    // Sanity check of the real graph: a known edge (the engine runs plans) is found.
    expect(all.some((e) => e.fromStage === 'engine' && e.toStage === 'plan')).toBe(true);
  });

  it('every folder with code under src/ has a stage', () => {
    const folders = new Set(sourceFiles(SRC).map((f) => relative(SRC, dirname(f)).split(sep).join('/')));
    const unplaced = [...folders].filter((folder) => folder !== '' && !STAGES.some((s) => s !== '' && (folder === s || folder.startsWith(`${s}/`))));
    expect(unplaced).toEqual([]);
  });

  it('no import goes to a later stage', () => {
    const rank = (stage: string): number => STAGES.indexOf(stage);
    const against = all
      .filter((e) => !isTest(e.from) && !e.to.startsWith('..') && rank(e.toStage) > rank(e.fromStage))
      .map((e) => `${e.from} (${e.fromStage || 'src'}) -> ${e.to} (${e.toStage || 'src'})`);
    expect(against).toEqual([]);
  });

  it('only tests import from outside src/ (shared fixtures under tests/), and no production module imports test code', () => {
    const outside = all.filter((e) => e.to.startsWith('..') && !isTest(e.from)).map((e) => `${e.from} -> ${e.to}`);
    expect(outside).toEqual([]);
    const intoTests = all.filter((e) => !isTest(e.from) && isTest(e.to)).map((e) => `${e.from} -> ${e.to}`);
    expect(intoTests).toEqual([]);
  });

  it('no cycle between stage folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of all) {
      if (isTest(e.from) || e.to.startsWith('..') || e.fromStage === e.toStage) continue;
      graph.set(e.fromStage, (graph.get(e.fromStage) ?? new Set()).add(e.toStage));
    }
    expect(findCycle(graph)).toBeUndefined();
  });

  it('the cycle finder finds a cycle', () => {
    const graph = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', new Set(['b'])]]))).toBeUndefined();
  });
});

/** A cycle in a directed graph as its path (first node repeated at the end), or undefined. */
function findCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node];
    if (done.has(node)) return undefined;
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}
