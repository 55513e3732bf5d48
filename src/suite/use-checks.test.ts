import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { loadSuite, ValidationError } from './index.ts';

/** `{ use: ./my-check.ts, ... }` in a YAML suite: the module's schema validates the entry, with the suite's lines. */

const work = mkdtempSync(join(tmpdir(), 'thinkprobe-use-checks-'));
const example = fileURLToPath(new URL('../checks/fixtures/answerTokensAtMost.ts', import.meta.url));

function suite(name: string, checks: string): string {
  const file = join(work, name);
  writeFileSync(file, `name: uses\nproblems:\n  - { id: p1, question: q, answer: 1 }\nchecks:\n${checks}`);
  return file;
}

async function failure(file: string): Promise<string> {
  try {
    await loadSuite(file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error instanceof ValidationError ? error.lines.join('\n') : (error as Error).message;
  }
  throw new Error('loaded');
}

describe('checks a suite names by file', () => {
  it('become checks of their type, validated by their own schema with line numbers', async () => {
    const ok = await loadSuite(suite('ok.yaml', `  - { use: ${JSON.stringify(example)}, max: 200 }\n`));
    expect(ok.suite.checks).toEqual([{ type: 'answerTokensAtMost', intervention: 'baseline', max: 200, skipCapped: false }]);
    const bad = suite('bad.yaml', `  - { type: accuracyAtLeast, min: 0.5 }\n  - use: ${JSON.stringify(example)}\n    max: -1\n    intervention: nope\n`);
    expect(await failure(bad)).toBe(`${bad}:7: /checks/1/max: expected a number > 0, got number -1`);
    const unknown = suite('unknown.yaml', `  - use: ${JSON.stringify(example)}\n    max: 5\n    intervention: nope\n`);
    expect(await failure(unknown)).toBe(`${unknown}:7: /checks/0/intervention: expected one of the suite's intervention labels (baseline), got "nope"`);
  });

  it('must exist, export a check, and keep its type', async () => {
    const missing = suite('missing.yaml', '  - { use: ./nope.ts }\n');
    expect(await failure(missing)).toBe(`${missing}:5: /checks/0/use: no such file: ${join(work, 'nope.ts')}`);
    writeFileSync(join(work, 'not-a-check.ts'), 'export const check = { type: "x" };\n');
    const notCheck = suite('not-check.yaml', '  - { use: ./not-a-check.ts }\n');
    expect(await failure(notCheck)).toMatch(/^.*not-check\.yaml:5: \/checks\/0\/use: expected \.\/not-a-check\.ts to export `check`/);
    const otherType = suite('other-type.yaml', `  - { use: ${JSON.stringify(example)}, type: accuracyAtLeast, max: 1 }\n`);
    expect(await failure(otherType)).toMatch(/other-type\.yaml:5: \/checks\/0\/type: expected 'answerTokensAtMost' \(the type .* defines\) or nothing, got "accuracyAtLeast"/);
  });
});
