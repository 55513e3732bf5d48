/**
 * Finding the final answer in a model's output. Only the answer section counts: text after the
 * thinking closed. A trace whose thinking never closed has no answer (the thinking is never graded).
 */

import { choiceLetter } from '../problems/choices.ts';

export { choiceLetter };

export type ExtractionMethod = 'boxed' | 'fbox' | 'phrase' | 'choice';

export interface ExtractedAnswer {
  /** The answer as written (inside the box, or after the phrase), trimmed. */
  text: string;
  method: ExtractionMethod;
  /**
   * Offsets in the full output passed in: `output.slice(start, end) === text`, except for a
   * boxed or phrased multiple-choice answer reduced to its letter, where they span what was written.
   */
  start: number;
  end: number;
}

export interface ExtractOptions {
  /** The thinking delimiter, e.g. `</think>`. When given and absent from the text: no answer. */
  thinkClose?: string | undefined;
  /** Multiple-choice options (A, B, ... in order): the answer is reduced to a letter. */
  choices?: string[] | undefined;
}

/** Longest answer we read; anything longer is not a final answer. */
const MAX_EXTRACTED = 2000;

interface Span {
  text: string;
  start: number;
  end: number;
}

function trimmedSpan(text: string, start: number, end: number): Span {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { text: text.slice(start, end), start, end };
}

/** Every balanced `{` from `from` on, mapped to its `}`, in one pass (output can be huge and hostile). */
function closingBraces(text: string, from: number): Map<number, number> {
  const closes = new Map<number, number>();
  const stack: number[] = [];
  for (let k = from; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 92 /* \\ */) k++;
    else if (c === 123 /* { */) stack.push(k);
    else if (c === 125 /* } */ && stack.length > 0) closes.set(stack.pop()!, k);
  }
  return closes;
}

/** `\boxed 5`: a box without braces holds the one token after it (a trailing period is prose). */
function unbracedToken(text: string, at: number): Span | undefined {
  const m = /^[ \t]+([-+]?[^\s${}\\]+)/.exec(text.slice(at, at + MAX_EXTRACTED));
  if (!m) return undefined;
  const token = m[1]!.replace(/[.,;:]+$/, '');
  if (token === '' || token === '-' || token === '+') return undefined;
  const start = at + m[0].length - m[1]!.length;
  return { text: token, start, end: start + token.length };
}

/** The last `\boxed{...}` / `\fbox{...}` / `\framebox{...}` whose braces balance, or unbraced `\boxed 5`. */
function lastBox(text: string, from: number): (Span & { method: 'boxed' | 'fbox' }) | undefined {
  const pattern = /\\(boxed|fbox|framebox)(?![a-zA-Z])(\s*\{)?/g;
  pattern.lastIndex = from;
  let found: (Span & { method: 'boxed' | 'fbox' }) | undefined;
  const closes = closingBraces(text, from);
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const method = m[1] === 'boxed' ? 'boxed' : 'fbox';
    if (m[2] === undefined) {
      const token = unbracedToken(text, m.index + m[0].length);
      if (token) found = { ...token, method };
      continue;
    }
    const open = m.index + m[0].length - 1;
    const close = closes.get(open) ?? -1;
    if (close < 0) continue;
    const span = trimmedSpan(text, open + 1, close);
    if (span.text !== '' && span.text.length <= MAX_EXTRACTED) found = { ...span, method };
    pattern.lastIndex = close + 1;
  }
  return found;
}

const PHRASES = /(?:\*\*\s*final answer\s*\*\*\s*:?|final answer\s*(?:is|:)|the answer is\s*:?|\banswer\s*:|^####)/gim;

/** Text after the last answer phrase: the rest of its line, or the next non-empty line. */
function lastPhrase(text: string, from: number): Span | undefined {
  PHRASES.lastIndex = from;
  let last: RegExpExecArray | undefined;
  for (let m = PHRASES.exec(text); m; m = PHRASES.exec(text)) last = m;
  if (!last) return undefined;
  let start = last.index + last[0].length;
  const restOfLine = /^[ \t]*(.*)/.exec(text.slice(start))!;
  let line = restOfLine[1]!;
  if (line.trim() === '') {
    const next = /^\s*\n\s*(.*)/.exec(text.slice(start));
    if (!next) return undefined;
    start = start + next[0].length - next[1]!.length;
    line = next[1]!;
  } else {
    start += restOfLine[0].length - line.length;
  }
  // Strip markdown emphasis, math delimiters and a sentence-ending period around the answer.
  let end = start + line.length;
  // Inline math right after the phrase is the answer, whatever follows (`$5$. I hope it is correct.`).
  const lead = /^(?:\*\*)?\s*(\$\$?|\\\(|\\\[)/.exec(line);
  if (lead) {
    const closer = lead[1] === '\\(' ? '\\)' : lead[1] === '\\[' ? '\\]' : lead[1]!;
    const close = line.indexOf(closer, lead[0].length);
    if (close > lead[0].length) {
      const span = trimmedSpan(text, start + lead[0].length, start + close);
      return span.text !== '' && span.text.length <= MAX_EXTRACTED ? span : undefined;
    }
  } else {
    // Otherwise the answer ends with its sentence: a period followed by a space.
    const sentence = /\.\s/.exec(line);
    if (sentence) end = start + sentence.index;
  }
  const strip = (re: RegExp, atStart: boolean): void => {
    const piece = text.slice(start, end);
    const m = re.exec(piece);
    if (!m) return;
    if (atStart) start += m[0].length;
    else end -= m[0].length;
  };
  for (let k = 0; k < 3; k++) {
    strip(/^(?:\s|\*\*|\$\$?|\\\[|\\\()+/, true);
    strip(/(?:\s|\*\*|\$\$?|\\\]|\\\)|\.(?!\d))+$/, false);
  }
  const span = trimmedSpan(text, start, end);
  return span.text !== '' && span.text.length <= MAX_EXTRACTED ? span : undefined;
}

function choiceInText(text: string, from: number, choices: readonly string[]): Span | undefined {
  const section = text.slice(from);
  const patterns = [
    /(?:answer|choice|option)\s*(?:is|:)?\s*(?:\*\*)?\s*\(?([A-E])\)?(?![a-zA-Z])/gi,
    /\(([A-E])\)/g,
  ];
  for (const pattern of patterns) {
    let last: RegExpExecArray | undefined;
    for (let m = pattern.exec(section); m; m = pattern.exec(section)) last = m;
    if (last) {
      const letter = last[1]!.toUpperCase();
      if (letter.charCodeAt(0) - 65 >= Math.max(choices.length, 1)) continue;
      const offset = from + last.index + last[0].lastIndexOf(last[1]!);
      return { text: text.slice(offset, offset + 1), start: offset, end: offset + 1 };
    }
  }
  return undefined;
}

/**
 * The final answer in `output`, or undefined. With `thinkClose`, only text after the first
 * occurrence of the delimiter is read, and output without it has no answer.
 */
export function extractAnswer(output: string, options: ExtractOptions = {}): ExtractedAnswer | undefined {
  if (typeof output !== 'string' || output === '') return undefined;
  let from = 0;
  if (options.thinkClose !== undefined && options.thinkClose !== '') {
    const at = output.indexOf(options.thinkClose);
    if (at < 0) return undefined;
    from = at + options.thinkClose.length;
  }
  const found: (Span & { method: ExtractionMethod }) | undefined =
    lastBox(output, from) ?? (() => {
      const phrase = lastPhrase(output, from);
      return phrase && { ...phrase, method: 'phrase' as const };
    })();
  if (options.choices && options.choices.length > 0) {
    if (found) {
      const letter = choiceLetter(found.text, options.choices);
      if (letter) return { ...found, text: letter, method: found.method };
    }
    const span = choiceInText(output, from, options.choices);
    return span ? { ...span, method: 'choice' } : undefined;
  }
  return found;
}
