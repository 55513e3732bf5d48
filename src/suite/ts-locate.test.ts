import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSuite, ValidationError } from './index.ts';

/** Errors of a TypeScript suite carry the line and column of the offending field, read from its source. */

const suiteModule = fileURLToPath(new URL('./index.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'thinkprobe-ts-lines-'));

async function lines(name: string, source: string): Promise<string[]> {
  const file = join(work, name);
  writeFileSync(file, source);
  try {
    await loadSuite(file);
  } catch (error) {
    if (error instanceof ValidationError) return error.lines.map((line) => line.replace(`${file}`, name));
    throw error;
  }
  throw new Error(`${name} loaded without an error`);
}

describe('TypeScript suite errors carry line:column', () => {
  it('of the field, through defineSuite, nested objects and arrays, quoted keys, same-file consts and custom checks', async () => {
    const source = `import { defineSuite } from ${JSON.stringify(suiteModule)};

const custom = { kind: 'custom' as const, name: 'c', run: async () => ({ name: 'c', verdict: 'pass' as const, summary: '', evidence: {} }) };
const cap = { type: 'budget', tokens: -5 } as const;

export default defineSuite({
  name: 'ts lines',
  problems: [{ id: 'a', question: 'q', answer: '1' }],
  interventions: [
    { type: 'baseline' },
    cap,
    { type: 'budget', 'tokens': 64, colour: 'red' },
  ],
  checks: [
    custom,
    { type: 'accuracyAtLeast', min: 1.5 },
    { type: 'tokensSavedAtLeast', min: 0.2 },
  ],
} as never);
`;
    expect(await lines('a.suite.ts', source)).toEqual([
      'a.suite.ts:7:3: /name: expected a name of letters, digits, ., _ or - (it is used in file paths), got string "ts lines"',
      'a.suite.ts:4:31: /interventions/1/tokens: expected a whole number of thinking tokens >= 1, got number -5',
      'a.suite.ts:12:37: /interventions/2/colour: unknown field; expected one of type, label, tokens, close, answerTokens',
      // The custom check is set aside for the schema; pointers and lines keep its place.
      'a.suite.ts:16:32: /checks/1/min: expected a number >= 0 and <= 1, got number 1.5',
      // A missing field: the object that lacks it.
      'a.suite.ts:17:5: /checks/2/intervention: missing; expected a non-empty string',
    ]);
  });

  it('falls back to no line where the source is not a literal (a call, a spread before the element)', async () => {
    const source = `import { defineSuite } from ${JSON.stringify(suiteModule)};
const more = () => [{ type: 'budget' as const, tokens: 0 }];
const extra = [{ type: 'baseline' as const, label: 'b2' }];
export default defineSuite({
  name: 'fallback',
  problems: [{ id: 'a', question: 'q', answer: '1' }],
  interventions: [...extra, { type: 'budget', tokens: -1 }],
  checks: more() as never,
});
`;
    expect(await lines('b.suite.ts', source)).toEqual([
      'b.suite.ts: /interventions/1/tokens: expected a whole number of thinking tokens >= 1, got number -1',
      'b.suite.ts: /checks/0/type: expected one of accuracyAtLeast, accuracyDropAtMost, budgetRespected, confidenceRises, monotoneInBudget, noRegression, property, reflectionShift, tokensSavedAtLeast, got string "budget"',
    ]);
  });
});
