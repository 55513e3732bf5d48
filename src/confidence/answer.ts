/**
 * Reading the answer a probe elicited. The probe's prompt ends with an answer-eliciting suffix
 * (usually ending in `\boxed{` or `\boxed`), so the answer is the content of that box: everything up
 * to the brace that balances it. Nested braces (`\frac{1}{2}`) are why a stop string `}` would not do.
 */

export interface ElicitedAnswer {
  /** The box content, or null when the box never closed (cut by the token limit) or never opened. */
  answer: string | null;
  /** [start, end) of the answer inside the generated text (end = where the closing brace is). */
  start: number;
  end: number;
}

/**
 * The answer in `generated`, the text the model wrote after `suffix`. The box is the last `\boxed`
 * (or `\fbox`) of the suffix when it has one, else the first box the model writes. A suffix without
 * a box (s1's `Final Answer:`) takes the first line of the generated text.
 */
export function answerAfterSuffix(suffix: string, generated: string): ElicitedAnswer {
  const text = suffix + generated;
  const boxInSuffix = Math.max(suffix.lastIndexOf('\\boxed'), suffix.lastIndexOf('\\fbox'));
  let searchFrom: number;
  if (boxInSuffix >= 0) {
    searchFrom = boxInSuffix;
  } else {
    const inGenerated = /\\(?:boxed|fbox)/.exec(generated);
    if (!inGenerated) {
      const line = /^[^\n]*/.exec(generated)?.[0] ?? '';
      const trimmed = line.trim();
      const start = line.indexOf(trimmed);
      return { answer: trimmed === '' ? null : trimmed, start, end: start + trimmed.length };
    }
    searchFrom = suffix.length + inGenerated.index;
  }
  const open = text.indexOf('{', searchFrom);
  // Only whitespace may sit between `\boxed` and its brace.
  const command = /^\\(?:boxed|fbox)\s*$/.exec(text.slice(searchFrom, open));
  if (open < 0 || !command) return { answer: null, start: generated.length, end: generated.length };
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && (text[i + 1] === '{' || text[i + 1] === '}')) {
      i++; // an escaped brace is content
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      const start = Math.max(0, open + 1 - suffix.length);
      const end = i - suffix.length;
      return { answer: text.slice(open + 1, i), start, end };
    }
  }
  const start = Math.max(0, open + 1 - suffix.length);
  return { answer: null, start, end: generated.length };
}
