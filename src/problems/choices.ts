/** Multiple-choice letters: a problem's gold answer and a model's extracted answer reduce to the same letter. */
const LETTER = /^\s*(?:\\text(?:bf)?\{\s*)?\(?\s*([A-Ea-e])\s*\)?(?:\s*\})?[.:)]?(?:\s|$)/;

/** Reduces an extracted answer to a choice letter: `B`, `(B)`, `\text{(B)}`, or a choice's own text. */
export function choiceLetter(answer: string, choices: readonly string[]): string | undefined {
  const m = LETTER.exec(answer);
  if (m) {
    const letter = m[1]!.toUpperCase();
    if (letter.charCodeAt(0) - 65 < Math.max(choices.length, 1)) return letter;
  }
  const flat = (s: string): string => s.toLowerCase().replace(/\\text\{([^{}]*)\}/g, '$1').replace(/[\s$.]/g, '');
  const index = choices.findIndex((choice) => flat(choice) === flat(answer));
  return index >= 0 ? String.fromCharCode(65 + index) : undefined;
}
