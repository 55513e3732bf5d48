import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ThinkingParser } from './thinking.ts';

function parseAll(chunks: string[], primeOpen = false): { thinking: string; content: string } {
  const parser = new ThinkingParser('<think>', '</think>');
  if (primeOpen) parser.add('<think>');
  let thinking = '';
  let content = '';
  for (const chunk of chunks) {
    const out = parser.add(chunk);
    thinking += out.thinking;
    content += out.content;
  }
  return { thinking, content };
}

describe('ThinkingParser (Ollama generic thinking parser)', () => {
  it('splits thinking and content, dropping whitespace after the tags', () => {
    expect(parseAll(['<think>\nLet me see.', ' 2+2=4.</th', 'ink>\n\nThe answer is 4.'])).toEqual({
      thinking: 'Let me see. 2+2=4.',
      content: 'The answer is 4.',
    });
  });

  it('treats output without an opening tag as content only', () => {
    expect(parseAll(['Hello', ' there'])).toEqual({ thinking: '', content: 'Hello there' });
  });

  it('starts inside the thinking when the prompt ended with the opening tag', () => {
    expect(parseAll(['Okay, so', ' x.</think>', 'Done'], true)).toEqual({ thinking: 'Okay, so x.', content: 'Done' });
  });

  it('gives the same split however the text is chunked', () => {
    const text = '<think>\nStep one. Wait, check.\n</think>\n\nFinal: \\boxed{7}';
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 10 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: string[] = [];
        let last = 0;
        for (const point of points) {
          chunks.push(text.slice(last, point));
          last = point;
        }
        chunks.push(text.slice(last));
        expect(parseAll(chunks)).toEqual({ thinking: 'Step one. Wait, check.\n', content: 'Final: \\boxed{7}' });
      }),
      { numRuns: 200 },
    );
  });
});
