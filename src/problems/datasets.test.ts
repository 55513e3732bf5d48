import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { guessFormat, parseDataset, readDataset } from './datasets.ts';
import type { DatasetFormat } from './schema.ts';
import { loadAllProblems, loadProblems } from './load.ts';
import { needsShared } from '../../tests/shared.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const shared = fileURLToPath(new URL('../../../shared/datasets/', import.meta.url));
const hasShared = existsSync(`${shared}gsm8k.jsonl`);

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('dataset loaders on fixtures', () => {
  it('maps question/problem, answer/gold and ids, skipping blank lines and CRLF', async () => {
    const problems = await readDataset(`${fixtures}tiny.jsonl`);
    expect(problems).toEqual([
      { id: 'tiny/1', question: 'What is 1+1?', answer: '2', source: 'tiny' },
      { id: 'b', question: 'What is 2+3?', answer: '5', source: 'tiny' },
      { id: 'tiny/3', question: 'x^2=4, x>0?', answer: '2', source: 'tiny', difficulty: 2 },
    ]);
  });

  it('reads CSV with quoted commas, quotes and newlines through a field map', async () => {
    const problems = await readDataset(`${fixtures}tiny.csv`, { fields: { question: 'prompt', answer: 'target', id: 'qid' } });
    expect(problems.map((p) => [p.id, p.question, p.answer, p.difficulty])).toEqual([
      ['c1', 'Add 2, 3 and 4.', '9', 1],
      ['c2', 'He said "hi".\nTwice?', '2', 3],
      ['c3', 'Plain', '1,000', 5],
    ]);
  });

  it('reads a JSON object with a problems array; numbers become strings, leading zeros stay', async () => {
    const problems = await readDataset(`${fixtures}good.json`);
    expect(problems.map((p) => [p.id, p.answer])).toEqual([
      ['1', '025'],
      ['2', '7.5'],
    ]);
  });

  it('takes the GSM8K gold answer after the last ####, as written', async () => {
    const problems = await readDataset(`${fixtures}gsm8k-mini.jsonl`);
    expect(problems.map((p) => p.answer)).toEqual(['1,000', '-3']);
  });

  it('names the file, line and field of a bad row', async () => {
    expect(await errorOf(readDataset(`${fixtures}bad-answer.jsonl`))).toBe(
      `${fixtures}bad-answer.jsonl:2: field 'answer' (or 'gold'): expected a string or number, got nothing`,
    );
    expect(await errorOf(readDataset(`${fixtures}tiny.json`, { display: 'data/tiny.json' }))).toBe(
      "data/tiny.json:3: field 'answer': expected a string or number, got an array",
    );
    expect(await errorOf(readDataset(`${fixtures}missing-question.jsonl`, { display: 'm.jsonl' }))).toBe(
      "m.jsonl:2: field 'question' (or 'problem', 'prompt'): expected a non-empty string, got nothing",
    );
    expect(await errorOf(readDataset(`${fixtures}bad-json.jsonl`, { display: 'b.jsonl' }))).toMatch(/^b\.jsonl:2: not valid JSON/);
    expect(await errorOf(readDataset(`${fixtures}bad-columns.csv`, { display: 'b.csv' }))).toMatch(/^b\.csv:3: not valid CSV/);
    expect(await errorOf(readDataset(`${fixtures}bad-multiline.csv`, { display: 'm.csv', fields: { question: 'prompt', answer: 'target' } }))).toBe(
      "m.csv:2: field 'target': expected a string or number, got an empty string",
    );
    expect(await errorOf(readDataset(`${fixtures}gsm8k-bad.jsonl`, { display: 'g.jsonl' }))).toBe(
      "g.jsonl:1: field 'answer': expected a GSM8K solution ending in '#### <answer>'",
    );
    expect(await errorOf(readDataset(`${fixtures}nope.jsonl`, { display: 'nope.jsonl' }))).toBe('nope.jsonl: dataset file not found');
    expect(await errorOf(readDataset(`${fixtures}tiny.txt`, { display: 'tiny.txt' }))).toMatch(/^tiny\.txt: cannot tell the dataset's format/);
  });

  it('guesses formats from names and extensions', () => {
    expect(guessFormat('x/gsm8k.jsonl')).toBe('gsm8k');
    expect(guessFormat('math500.jsonl')).toBe('math');
    expect(guessFormat('aime24.jsonl')).toBe('aime');
    expect(guessFormat('mine.jsonl')).toBe('jsonl');
    expect(guessFormat('mine.csv')).toBe('csv');
    expect(guessFormat('mine.parquet')).toBeUndefined();
  });
});

describe('problem sources', () => {
  it('resolves dataset paths against the suite root and applies filters', async () => {
    const problems = await loadProblems({ dataset: 'fixtures/tiny.jsonl', ids: ['b', 'tiny/1'] }, { root: fileURLToPath(new URL('.', import.meta.url)) });
    expect(problems.map((p) => p.id)).toEqual(['b', 'tiny/1']);
  });

  it('reports ids that are not in the dataset, and levels on a dataset without levels', async () => {
    expect(await errorOf(loadProblems({ dataset: 'tiny.jsonl', ids: ['zzz'] }, { root: fixtures }))).toBe('tiny.jsonl: ids: not in the dataset: zzz');
    expect(await errorOf(loadProblems({ dataset: 'good.json', levels: [1] }, { root: fixtures }))).toMatch(/^good\.json: levels: the dataset has no difficulty levels/);
  });

  it('turns inline problems into Problems and generates family problems through the injected generator', async () => {
    const generate = (family: string, seed: number, difficulty: number) => ({ id: `${family}/${seed}/${difficulty}`, question: `q${seed}`, answer: `${seed}` });
    const problems = await loadAllProblems(
      [
        { id: 7, question: 'Seven?', answer: 7 },
        { family: 'word-problem', count: 2, difficulty: 3, seed: 10 },
      ],
      { root: fixtures, generate },
    );
    expect(problems).toEqual([
      { id: '7', question: 'Seven?', answer: '7', source: 'inline' },
      { id: 'word-problem/10/3', question: 'q10', answer: '10' },
      { id: 'word-problem/11/3', question: 'q11', answer: '11' },
    ]);
  });

  it('reads files that start with a UTF-8 byte order mark (Windows tools write one)', () => {
    const jsonl = '\uFEFF{"question": "q1", "answer": "1"}\n{"question": "q2", "answer": 2}\n';
    expect(parseDataset(jsonl, 'd.jsonl', { format: 'jsonl', name: 'd' }).map((p) => p.answer)).toEqual(['1', '2']);
    expect(parseDataset('\uFEFF[{"question": "q", "answer": "7"}]', 'd.json', { format: 'json', name: 'd' })[0]?.answer).toBe('7');
    const gsm8k = '\uFEFF{"question": "q", "answer": "3 + 4 = 7\\n#### 7"}\n';
    expect(parseDataset(gsm8k, 'gsm8k.jsonl', { format: 'gsm8k', name: 'gsm8k' })[0]?.answer).toBe('7');
    expect(parseDataset('\uFEFFquestion,answer\nq,5\n', 'd.csv', { format: 'csv', name: 'd' })[0]?.answer).toBe('5');
  });

  it('refuses a multiple-choice answer that names none of its choices (it could never be graded right)', async () => {
    const choices = ['3', '4', '5'];
    expect(await errorOf(loadProblems({ id: 'mc', question: 'Two plus two?', answer: 'D', choices }, { root: fixtures }))).toBe(
      `problem 'mc': answer: expected a choice letter (A-C) or the text of one of its 3 choices, got "D"`,
    );
    expect(await errorOf(loadProblems({ id: 'mc', question: 'Two plus two?', answer: 6, choices }, { root: fixtures }))).toMatch(/got "6"$/);
    for (const answer of ['B', '(B)', '4']) {
      expect((await loadProblems({ id: 'mc', question: 'Two plus two?', answer, choices }, { root: fixtures }))[0]?.choices).toEqual(choices);
    }
  });

  it('rejects the same id from two sources', async () => {
    const message = await errorOf(
      loadAllProblems(
        [
          { dataset: 'tiny.jsonl' },
          { id: 'b', question: 'again', answer: 1 },
        ],
        { root: fixtures },
      ),
    );
    expect(message).toBe("problems/1: problem id 'b' is also in problems/0; ids must be unique in a suite (give the dataset a name to prefix its row ids)");
  });
});

describe.skipIf(!hasShared)(needsShared('the shared datasets', `${shared}gsm8k.jsonl`), () => {
  it('GSM8K: 1319 rows, gold after ####, thousands commas kept', async () => {
    const problems = await readDataset(`${shared}gsm8k.jsonl`);
    expect(problems).toHaveLength(1319);
    expect(problems[0]).toMatchObject({ id: 'gsm8k/1', answer: '18' });
    expect(problems.filter((p) => /^-?\d{1,3}(,\d{3})+$/.test(p.answer))).toHaveLength(14);
    expect(problems.filter((p) => p.answer.startsWith('-'))).toHaveLength(2);
    expect(problems.every((p) => !p.answer.includes('#'))).toBe(true);
  });

  it('MATH-500: 500 rows, level -> difficulty, unique_id -> id, subject -> meta', async () => {
    const problems = await readDataset(`${shared}math500.jsonl`);
    expect(problems).toHaveLength(500);
    expect(problems[0]).toMatchObject({
      id: 'test/precalculus/807.json',
      answer: '\\left( 3, \\frac{\\pi}{2} \\right)',
      difficulty: 2,
      meta: { subject: 'Precalculus' },
    });
    expect(new Set(problems.map((p) => p.difficulty))).toEqual(new Set([1, 2, 3, 4, 5]));
    const level5 = await loadProblems({ dataset: 'math500.jsonl', levels: [5], shuffle: { seed: 1 }, limit: 10 }, { root: shared });
    expect(level5).toHaveLength(10);
    expect(level5.every((p) => p.difficulty === 5)).toBe(true);
  });

  it('AIME 2024 and 2025: 30 rows each, answers with leading zeros kept', async () => {
    const aime24 = await readDataset(`${shared}aime24.jsonl`);
    const aime25 = await readDataset(`${shared}aime25.jsonl`);
    expect(aime24).toHaveLength(30);
    expect(aime25).toHaveLength(30);
    expect(aime24.filter((p) => /^0\d/.test(p.answer))).toHaveLength(7);
    expect(aime24.find((p) => p.id === '67')?.answer).toBe('025');
    expect(aime25[0]).toMatchObject({ id: 'aime25/1', answer: '70' });
    expect(aime24[0]?.meta?.['url']).toMatch(/^https:/);
  });
});

describe('generated families', () => {
  it('generates count problems from consecutive seeds with exact answers, reproducibly', async () => {
    const source = { family: 'arithmetic-chain' as const, count: 4, difficulty: 2, seed: 100 };
    const a = await loadProblems(source, { root: fixtures });
    expect(a.map((p) => p.id)).toEqual(['arithmetic-chain/100/2', 'arithmetic-chain/101/2', 'arithmetic-chain/102/2', 'arithmetic-chain/103/2']);
    expect(a.every((p) => p.answer !== '' && p.difficulty === 2)).toBe(true);
    expect(await loadProblems(source, { root: fixtures })).toEqual(a);
  });
});

describe('dataset parsing never crashes', () => {
  it('on arbitrary rows: problems, or one InputError naming the file and line', () => {
    const row = fc.oneof(
      fc.jsonValue(),
      fc.record({ question: fc.jsonValue(), answer: fc.jsonValue() }, { requiredKeys: [] }),
      fc.record({ problem: fc.string(), answer: fc.oneof(fc.string(), fc.integer()), level: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), fc.constantFrom<DatasetFormat>('jsonl', 'math', 'aime', 'gsm8k', 'json'), (rows, format) => {
        const text = format === 'json' ? JSON.stringify(rows, null, 1) : rows.map((r) => JSON.stringify(r)).join('\n');
        try {
          const problems = parseDataset(text, 'd.jsonl', { format, name: 'd' });
          for (const p of problems) {
            expect(typeof p.question).toBe('string');
            expect(typeof p.answer).toBe('string');
            expect(p.answer.trim()).not.toBe('');
          }
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect((error as Error).message).toMatch(/^d\.jsonl(:\d+)?: \S/);
        }
      }),
      { numRuns: 300, seed: 4 },
    );
  });
});
