import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Every module reachable from `entry` by static imports (relative ones), and every package named. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
      const target = m[1]!;
      if (target.startsWith('.')) visit(resolve(dirname(file), target));
      else packages.add(target);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the symbolic engine stays off the main thread', () => {
  it('the public grading API does not import the compute engine (only the worker does)', () => {
    const { files, packages } = importGraph(fileURLToPath(new URL('./index.ts', import.meta.url)));
    expect([...files].some((f) => f.endsWith('symbolic.ts'))).toBe(false);
    expect([...packages].some((p) => p.startsWith('@cortex-js/'))).toBe(false);
    // Sanity check of the walk itself: the symbolic module does reach the engine.
    const symbolic = importGraph(fileURLToPath(new URL('./symbolic.ts', import.meta.url)));
    expect(symbolic.packages.has('@cortex-js/compute-engine')).toBe(true);
  });
});
