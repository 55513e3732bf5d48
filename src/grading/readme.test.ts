/**
 * Every rule in ./README.md carries an example that must match and one that must not; this
 * reads them from the Rules table and grades each, so the documentation cannot drift from the code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { equivalentSymbolic } from './symbolic.ts';

const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
const table = readme.slice(readme.indexOf('## Rules'), readme.indexOf('## The bundled corpus'));
const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| rule') && !line.startsWith('| ---'));

/** `` `a` = `b` `` and `` `a` = `b` and = `c` `` pairs from one cell. */
function pairs(cell: string, sign: '=' | '≠'): [string, string][] {
  const found: [string, string][] = [];
  for (const part of cell.split(/;/)) {
    const m = new RegExp(`\`([^\`]+)\`\\s*${sign}\\s*\`([^\`]+)\`((?:\\s*and ${sign}\\s*\`[^\`]+\`)*)`).exec(part);
    if (!m) continue;
    found.push([m[1]!, m[2]!]);
    for (const extra of m[3]!.matchAll(/`([^`]+)`/g)) found.push([m[1]!, extra[1]!]);
  }
  return found;
}

const examples = rows.flatMap((row) => {
  const cells = row.split(' | ');
  const rule = cells[0]!.replace(/^\| /, '');
  return [
    ...pairs(cells[1] ?? '', '=').map(([a, b]) => ({ rule, a, b, equal: true })),
    ...pairs(cells[2] ?? '', '≠').map(([a, b]) => ({ rule, a, b, equal: false })),
  ];
});

describe('grading README rules', () => {
  it('has a must-match and a must-not-match example for (nearly) every rule', () => {
    expect(rows.length).toBeGreaterThan(25);
    const withBoth = rows.filter((row) => pairs(row.split(' | ')[1] ?? '', '=').length > 0 && pairs(row.split(' | ')[2] ?? '', '≠').length > 0);
    expect(withBoth.length).toBeGreaterThanOrEqual(rows.length - 4);
  });

  it.each(examples)('$rule: $a vs $b -> $equal', ({ a, b, equal }) => {
    expect(equivalentSymbolic(a, b)).toBe(equal);
    expect(equivalentSymbolic(b, a)).toBe(equal);
  });
});
