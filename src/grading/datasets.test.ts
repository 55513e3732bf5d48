import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractAnswer } from './extract.ts';
import { equivalentSymbolic } from './symbolic.ts';
import { needsShared } from '../../tests/shared.ts';

// The shared datasets sit beside the repository; the tests skip cleanly without them.
const DATASETS = fileURLToPath(new URL('../../../shared/datasets/', import.meta.url));
const present = existsSync(`${DATASETS}math500.jsonl`);

function rows(file: string): Record<string, unknown>[] {
  return readFileSync(`${DATASETS}${file}`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe.skipIf(!present)(needsShared('gold answers of the shared datasets', `${DATASETS}math500.jsonl`), () => {
  it('MATH-500: every answer equals itself and the last \\boxed{} of its own solution', () => {
    const math = rows('math500.jsonl');
    let boxedMatches = 0;
    const failures: string[] = [];
    for (const row of math) {
      const answer = String(row.answer);
      if (!equivalentSymbolic(answer, answer)) failures.push(`self: ${answer}`);
      const boxed = extractAnswer(String(row.solution));
      if (boxed && equivalentSymbolic(answer, boxed.text)) boxedMatches++;
      else failures.push(`boxed: ${answer} vs ${boxed?.text}`);
    }
    expect(failures).toEqual([]);
    expect(boxedMatches).toBe(500);
  });

  it('GSM8K: every final after #### equals itself and itself without thousands commas', () => {
    const failures = rows('gsm8k.jsonl')
      .map((row) => String(row.answer).split('####').pop()!.trim())
      .filter((final) => !equivalentSymbolic(final, final) || !equivalentSymbolic(final, final.replace(/,/g, '')));
    expect(failures).toEqual([]);
  });

  it('AIME 2024: answers equal themselves without leading zeros and their solutions\' boxed answers', () => {
    const failures: string[] = [];
    for (const row of rows('aime24.jsonl')) {
      const answer = String(row.answer);
      if (!equivalentSymbolic(answer, String(Number(answer)))) failures.push(`zeros: ${answer}`);
      const boxed = extractAnswer(String(row.solution));
      if (!boxed || !equivalentSymbolic(answer, boxed.text)) failures.push(`boxed: ${answer} vs ${boxed?.text}`);
    }
    expect(failures).toEqual([]);
  });

  it('AIME 2025: answers equal themselves and not their neighbours', () => {
    for (const row of rows('aime25.jsonl')) {
      const answer = String(row.answer);
      expect(equivalentSymbolic(answer, answer)).toBe(true);
      expect(equivalentSymbolic(answer, String(Number(answer) + 1))).toBe(false);
    }
  });
});
