import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { AnswerIndex, loadAnswerKey } from './answers.ts';
import { makeDistractors } from './reasoner.ts';
import { createSimModel, loadCard } from './index.ts';
import { generateAll, lastBoxed, renderQuestion, text } from './testing.ts';
import { needsShared } from '../../../tests/shared.ts';

const datasets = new URL('../../../../shared/datasets/', import.meta.url);
const haveDatasets = existsSync(new URL('gsm8k.jsonl', datasets));
const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-answers-'));

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n'));
  return path;
}

describe('answer keys', () => {
  it('reads the three dataset formats', () => {
    const path = file('mixed.jsonl', [
      JSON.stringify({ question: 'Tom has 3 cats and gets 2 more. How many cats?', answer: 'He has 3+2=<<3+2=5>>5 cats.\n#### 5' }),
      JSON.stringify({ problem: 'What is $\\frac{1}{2}+\\frac{1}{6}$?', answer: '\\frac{2}{3}', level: 2, subject: 'Algebra' }),
      '',
      JSON.stringify({ id: 60, problem: 'Find the number of minutes.', question: 'Find the number of minutes.', answer: '204' }),
      JSON.stringify({ question: 'Big?', answer: '#### 1,000' }),
    ]);
    expect(loadAnswerKey(path)).toEqual([
      { question: 'Tom has 3 cats and gets 2 more. How many cats?', answer: '5', difficulty: 2, dataset: 'gsm8k' },
      { question: 'What is $\\frac{1}{2}+\\frac{1}{6}$?', answer: '\\frac{2}{3}', difficulty: 2, dataset: 'math' },
      { question: 'Find the number of minutes.', answer: '204', difficulty: 5, dataset: 'aime' },
      { question: 'Big?', answer: '1000', difficulty: 2, dataset: 'gsm8k' },
    ]);
  });

  it('names the file and line of a bad row and what was expected', () => {
    const bad = file('bad.jsonl', [JSON.stringify({ question: 'ok?', answer: '1' }), '{not json', '']);
    expect(() => loadAnswerKey(bad)).toThrow(InputError);
    expect(() => loadAnswerKey(bad)).toThrow(`${bad}:2: expected one JSON object per line`);
    const noAnswer = file('noanswer.jsonl', [JSON.stringify({ question: 'ok?' })]);
    expect(() => loadAnswerKey(noAnswer)).toThrow(`${noAnswer}:1: expected a JSON object with "question" or "problem" (string) and "answer" (string or number)`);
    expect(() => loadAnswerKey(join(dir, 'missing.jsonl'))).toThrow(/missing\.jsonl: expected a readable JSONL file \(ENOENT\)/);
    expect(() => loadAnswerKey(file('empty.jsonl', ['']))).toThrow(/expected at least one JSON line/);
  });

  it('finds questions by normalized text, also inside a longer prompt', () => {
    const index = new AnswerIndex([{ question: 'How  many legs does a Spider have?', answer: '8' }]);
    expect(index.find('how many legs does a spider have?')?.answer).toBe('8');
    expect(index.find('Question: How many legs does a spider have?\nPlease reason step by step.')?.answer).toBe('8');
    expect(index.find('How many legs does a cat have?')).toBeUndefined();
  });

  it('lets the model answer known problems and reason about them', () => {
    const entries = Array.from({ length: 12 }, (_, i) => ({
      question: `Compute the number of lattice points on the circle of radius ${i + 5} centred at the origin, counted with care.`,
      answer: String(4 * (i + 3)),
      difficulty: 1 + (i % 4),
    }));
    const model = createSimModel(loadCard('sim-fast'), { answers: entries });
    const prompt = renderQuestion(model, entries[0]!.question);
    expect(model.readPrompt(prompt)).toMatchObject({ correct: '12', source: 'answer-key', difficulty: 1 });
    let right = 0;
    let runs = 0;
    for (const entry of entries) {
      for (let seed = 0; seed < 5; seed++) {
        const out = text(generateAll(model, renderQuestion(model, entry.question), { seed, temperature: 0.6, topK: 40, topP: 0.95 }).tokens);
        expect(out).toContain('</think>');
        runs++;
        if (lastBoxed(out) === entry.answer) right++;
      }
    }
    expect(right / runs).toBeGreaterThan(0.6);
    // An unknown problem still gets reasoning and a (guessed) boxed answer.
    const unknown = renderQuestion(model, 'Who painted the ceiling of the Sistine Chapel?');
    expect(model.readPrompt(unknown).source).toBe('guess');
    expect(lastBoxed(text(generateAll(model, unknown, { seed: 1, temperature: 0, topK: 40, topP: 0.95 }).tokens))).toMatch(/^\d+$/);
  });

  it.skipIf(!haveDatasets)(needsShared('loads every shared dataset and knows their answers', new URL('gsm8k.jsonl', datasets)), () => {
    const sizes: Record<string, number> = { 'gsm8k.jsonl': 1319, 'math500.jsonl': 500, 'aime24.jsonl': 30, 'aime25.jsonl': 30 };
    for (const [name, rows] of Object.entries(sizes)) {
      const entries = loadAnswerKey(new URL(name, datasets).pathname);
      expect(entries).toHaveLength(rows);
      const model = createSimModel(loadCard('sim-fast'), { answers: entries });
      const first = entries[0]!;
      const reading = model.readPrompt(renderQuestion(model, first.question));
      expect(reading.source).toBe('answer-key');
      expect(reading.correct).toBe(first.answer);
    }
    const gsm = loadAnswerKey(new URL('gsm8k.jsonl', datasets).pathname);
    expect(gsm[0]).toMatchObject({ answer: '18', difficulty: 2 });
    expect(gsm.every((e) => /^-?\d+$/.test(e.answer))).toBe(true);
  });
});

describe('distractors', () => {
  it('look like the right answer', () => {
    expect(makeDistractors('B', 1)).toHaveLength(3);
    expect(makeDistractors('B', 1).every((d) => /^[ACD]$/.test(d))).toBe(true);
    expect(makeDistractors('42', 1).every((d) => /^-?\d+$/.test(d) && d !== '42')).toBe(true);
    expect(makeDistractors('\\frac{2}{3}', 1).every((d) => d.includes('\\frac') && d !== '\\frac{2}{3}')).toBe(true);
    expect(new Set(makeDistractors('\\text{Evelyn}', 1)).size).toBe(3);
  });
});
