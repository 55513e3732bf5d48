/**
 * Our own normalization of a final answer, in front of the symbolic engine. It removes what does
 * not change the value (display spacing, `\left`, math delimiters, thousands separators, units,
 * currency) and records what does (a percent sign, a degree sign) so the comparison can decide.
 */
import { bracesBalanced, matchingBrace } from './latex.ts';
import { canonicalUnit } from './units.ts';
import { numberFromWords } from './words.ts';

export interface NormalizedAnswer {
  /** The normalized LaTeX, no insignificant spaces. Empty when nothing usable was left. */
  text: string;
  /** The answer carried a percent sign (`50\%`). */
  percent: boolean;
  /** The answer carried a degree sign (`30^\circ`). */
  degrees: boolean;
  /** The whole answer was text (`\text{Evelyn}`), to be compared as words. */
  isText: boolean;
  /** The unit written after the answer, canonical (`centimeter^2`); '' when none. */
  unit: string;
  /** A multiple-choice letter written before the value (`\textbf{(E) } 12`). */
  choice?: string;
}

/** Answers longer than this are not graded (not equivalent): 100 kB of LaTeX is not an answer. */
export const MAX_ANSWER_LENGTH = 2000;

const UNICODE: [RegExp, string][] = [
  [/[\u2212\u2013\u2014]/g, '-'],
  [/×/g, '\\times '],
  [/·/g, '\\cdot '],
  [/π/g, '\\pi '],
  [/∞/g, '\\infty '],
  [/√/g, '\\sqrt'],
  [/°/g, '^\\circ'],
  [/∅/g, '\\emptyset '],
  [/∪/g, '\\cup '],
  [/[\u00a0\u2009\u202f]/g, ' '],
  [/≤|<=/g, '\\leq '],
  [/≥|>=/g, '\\geq '],
];

const TEXT_COMMANDS = /\\(?:mbox|textrm|textbf|textit|textnormal|textsf|texttt|mathrm|mathbf|mathit|mathsf|mathtt|mathnormal|hbox)(?![a-zA-Z])/g;

/** Unit words dropped after a number (lower case; plurals handled by the trailing `s?`). */
const UNIT_WORD = /^(?:m|g|s|h|l|cm|mm|km|kg|mg|ml|ft|in|yd|mi|lb|lbs|oz|hr|hrs|min|mins|sec|secs|kph|cu|sq|cents?|dollars?|euros?|pounds?|units?|square|cubic|sq|meters?|metres?|centimeters?|millimeters?|kilometers?|kilograms?|grams?|liters?|litres?|inch|inches|feet|foot|yards?|miles?|hours?|minutes?|seconds?|days?|weeks?|months?|years?|mph|degrees?|people|students?|times|ways|points?|marbles|apples|cookies|pages|books|boxes|eggs|cups|gallons?|ounces?|pieces?|tickets|cars|items|percent)$/;

/** Rewrites `\frac12`, `\frac 59`, `\frac9{19}`, `\sqrt2` with braced arguments. */
function braceArguments(s: string): string {
  let out = '';
  let k = 0;
  while (k < s.length) {
    const m = /^\\(frac|sqrt|binom)(?![a-zA-Z])/.exec(s.slice(k, k + 8));
    if (!m) {
      out += s[k];
      k++;
      continue;
    }
    const name = m[1]!;
    out += `\\${name}`;
    k += name.length + 1;
    if (name === 'sqrt') {
      while (s[k] === ' ') k++;
      if (s[k] === '[') {
        const close = s.indexOf(']', k);
        if (close < 0) return out + s.slice(k);
        out += s.slice(k, close + 1);
        k = close + 1;
      }
    }
    const count = name === 'sqrt' ? 1 : 2;
    for (let a = 0; a < count; a++) {
      while (s[k] === ' ') k++;
      if (k >= s.length) return out;
      if (s[k] === '{') {
        const close = matchingBrace(s, k);
        if (close < 0) return out + s.slice(k);
        out += `{${braceArguments(s.slice(k + 1, close))}}`;
        k = close + 1;
      } else if (s[k] === '\\') {
        const cmd = /^\\[a-zA-Z]+/.exec(s.slice(k, k + 40));
        const token = cmd ? cmd[0] : s.slice(k, k + 2);
        out += `{${token}}`;
        k += token.length;
      } else {
        out += `{${s[k]}}`;
        k++;
      }
    }
  }
  return out;
}

/** Replaces `\text{...}` groups using `replace(content, isWhole)`. */
function mapTextGroups(s: string, replace: (content: string) => string): string {
  let out = '';
  let k = 0;
  for (;;) {
    const at = s.indexOf('\\text{', k);
    if (at < 0) return out + s.slice(k);
    const close = matchingBrace(s, at + 5);
    if (close < 0) return out + s.slice(k);
    out += s.slice(k, at) + replace(s.slice(at + 6, close));
    k = close + 1;
  }
}

function stripThousandsSeparators(s: string): string {
  // `1{,}000` and `10,\!080` always mean a thousands separator in MATH answers.
  s = s.replace(/(\d)(?:\{,\}|,\\!)\s*(?=\d{3}(?!\d))/g, '$1');
  // Thin spaces between digit groups: `1\,000`, `1\ 000`, `1~000`.
  s = s.replace(/(\d)(?:\\,|\\ |~|\\;|\\:)(?=\d{3}(?!\d))/g, '$1');
  const bare = s.trim();
  // A bare `1,000,000` or `1 000 000` (nothing else in the answer) is one number, not a list.
  if (/^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(bare) || /^[-+]?\d{1,3}(?: \d{3})+(?:\.\d+)?$/.test(bare)) {
    return bare.replace(/[, ]/g, '');
  }
  return s;
}

/** Drops unit words that follow a leading number: `5 cm`, `18 dollars`, `12 inches^2`; returns the unit too. */
function stripTrailingUnits(s: string): { text: string; unit: string } {
  const m = /^([-+]?[\d.,]+(?:\\frac\{\d+\}\{\d+\})?|\\frac\{\d+\}\{\d+\})\s+([a-zA-Z]+(?: [a-zA-Z]+)*)\s*(?:\^\{?([23])\}?)?\.?$/.exec(s);
  if (!m) return { text: s, unit: '' };
  const words = m[2]!.toLowerCase().split(/\s+/);
  if (!words.every((w) => UNIT_WORD.test(w))) return { text: s, unit: '' };
  return { text: m[1]!, unit: canonicalUnit(m[2]!, Number(m[3] ?? 1)) };
}

/** `1 3/4` and `-2 1/2` (a whole number, a space, a fraction) are mixed numbers: `\frac{7}{4}`. */
function mixedNumber(s: string): string {
  const m = /^([-+]?)(\d+)\s+(\d+)\s*\/\s*(\d+)$/.exec(s) ?? /^([-+]?)(\d+)\s*\\frac\{(\d+)\}\{(\d+)\}$/.exec(s);
  if (!m) return s;
  const [whole, num, den] = [BigInt(m[2]!), BigInt(m[3]!), BigInt(m[4]!)];
  if (den === 0n || num >= den) return s;
  return `${m[1] === '-' ? '-' : ''}\\frac{${whole * den + num}}{${den}}`;
}

/** `\mathbb{R}\setminus\{2\}` (and `\mathbb{R}-\{2\}`): the real line without one point, as a union. */
function realLineWithout(s: string): string {
  const m = /^\\mathbb\{R\}\s*(?:\\setminus|\\backslash|-)\s*\\\{\s*([^{},]+?)\s*\\\}$/.exec(s);
  return m ? `(-\\infty,${m[1]})\\cup(${m[1]},\\infty)` : s;
}

/** Normalizes one answer. Never throws; unusable input gives `text: ''`. */
export function normalizeAnswer(raw: string): NormalizedAnswer {
  const result: NormalizedAnswer = { text: '', percent: false, degrees: false, isText: false, unit: '' };
  if (typeof raw !== 'string' || raw.length > MAX_ANSWER_LENGTH) return result;
  // Row separators of matrices are protected from the spacing rules below (`\\ 2` is not `\ `).
  // Control characters carry no meaning in an answer (and \u0000-\u0002 are our own markers).
  let s = raw.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').replace(/\\\\/g, '\u0002');
  for (const [pattern, replacement] of UNICODE) s = s.replace(pattern, replacement);
  s = s.replace(/\\(?:displaystyle|textstyle|scriptstyle)(?![a-zA-Z])/g, '');
  // Math delimiters and currency: every `$`, escaped or not, and `\(`, `\)`, `\[`, `\]`.
  s = s.replace(/\\\$/g, '').replace(/\$/g, '');
  s = s.replace(/^\s*\\\[|\\\]\s*$/g, '').replace(/^\s*\\\(|\\\)\s*$/g, '');
  // An answer that is itself boxed is the box's content.
  const boxed = /^\s*\\(?:boxed|fbox)\s*\{/.exec(s);
  if (boxed && matchingBrace(s, boxed[0].length - 1) === s.trimEnd().length - 1) s = s.trim().slice(boxed[0].trim().length, -1);
  // `\approx 3.14`, `x \approx 3.14`: an approximate answer states its number; the exact gold decides.
  s = s.replace(/^\s*(?:[a-zA-Z]\s*)?\\approx(?![a-zA-Z])\s*/, '');
  s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![a-zA-Z])\s*\.?/g, '');
  s = s.replace(TEXT_COMMANDS, '\\text');
  s = s.replace(/\\(?:dfrac|tfrac|cfrac)(?![a-zA-Z])/g, '\\frac');
  s = s.replace(/\\(?:varnothing)(?![a-zA-Z])/g, '\\emptyset');
  // The real line as an interval, so `\mathbb{R}` meets `(-\infty, \infty)`.
  s = s.replace(/^\s*\\mathbb\{R\}\s*$/, '(-\\infty,\\infty)');
  s = realLineWithout(s.trim());
  s = s.replace(/\\(?:infinity)(?![a-zA-Z])/g, '\\infty');
  s = s.replace(/\\(?:le|leqslant|leqq)(?![a-zA-Z])/g, '\\leq').replace(/\\(?:ge|geqslant|geqq)(?![a-zA-Z])/g, '\\geq');
  s = s.replace(/\\lt(?![a-zA-Z])/g, '<').replace(/\\gt(?![a-zA-Z])/g, '>');
  s = stripThousandsSeparators(s);
  s = s.replace(/\\[,;:! ]|~|\\q?quad(?![a-zA-Z])/g, ' ');
  if (!bracesBalanced(s)) return result;

  return finishAnswer(s, result);
}

const DEGREES = /\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree(?![a-zA-Z])|\\text\{\s*degrees?\s*\}|\^\s*\{\s*\\text\{\s*o\s*\}\s*\}/g;

/**
 * `\sin 60^\circ`: inside a trigonometric function a degree sign converts its number to radians in
 * place. Elsewhere (`30^\circ, 150^\circ`, `(3, 90^\circ)`) it is a unit, recorded and removed.
 */
function inlineDegrees(s: string): string {
  if (!/\\(?:sin|cos|tan|cot|sec|csc)(?![a-zA-Z])/.test(s)) return s;
  const inner = new RegExp(`(\\d+(?:\\.\\d+)?)\\s*(?:${DEGREES.source})`, 'g');
  return s.replace(inner, (_m, n: string) => `(\\frac{${n}}{180}\\pi)`);
}

/** Percent and degree signs, recorded and removed. */
function takeSigns(s: string, result: NormalizedAnswer): string {
  const PERCENT = /\\%|%|\\text\{\s*percent\s*\}|\s+percent\s*$/g;
  if (PERCENT.test(s)) {
    result.percent = true;
    s = s.replace(PERCENT, '');
  }
  s = inlineDegrees(s.trim());
  if (new RegExp(DEGREES.source).test(s)) {
    result.degrees = true;
    s = s.replace(DEGREES, '');
  }
  return s;
}

/** A multiple-choice letter in front of the value: `\text{(E) } 12`, `(E) 12`, `E) 12`. */
function takeChoice(s: string, result: NormalizedAnswer): string {
  const m = /^(?:\\text\{\s*\(?([A-E])\)\s*\}|\(([A-E])\)|([A-E])\))\s*(\S.*)$/s.exec(s);
  if (!m) return s;
  // `(C) and (D)`, `(B), (E)`: two choices are no value after one letter (compared as a list).
  if (/^(?:and|or|,|;|&)|\(\s*[A-E]\s*\)|\\text\{\s*(?:and|or)\s*\}/.test(m[4]!.trim())) return s;
  const letter = m[1] ?? m[2] ?? m[3];
  if (letter !== undefined) result.choice = letter;
  return m[4]!.trim();
}

/**
 * Words that qualify or negate a value rather than name its unit. Unit phrases (`miles per hour`,
 * `square units`, `times`, `min`) are not among them.
 */
const QUALIFIER =
  /\b(?:not|no|never|none|nor|neither|except|without|cannot|can't|isn't|impossible|undefined|false|wrong|incorrect|invalid|but|if|unless|only|than|less|more|fewer|least|most|maximum|minimum|is|are|was|were|be|maybe|perhaps|probably|possibly|guess|between|from|to|up|over|under|above|below|nearly|almost|plus|minus|divided)\b/;

/** Units in `\text{...}` groups and trailing words, recorded in `result.unit` and removed. */
function takeUnits(s: string, result: NormalizedAnswer): string {
  const units: string[] = [];
  let qualified = false;
  // Connectives become list separators; other \text{...} groups are units or words to drop.
  s = mapTextGroups(s, (content) => {
    const c = content.trim().toLowerCase();
    if (c === 'or' || c === 'and' || c === ',') return ',';
    if (QUALIFIER.test(c)) qualified = true;
    if (/\d/.test(c)) return content;
    units.push(c);
    return ' \u0001';
  });
  // A unit's power goes with the unit: `15\mbox{ cm}^2`.
  let k = 0;
  s = s.replace(/\u0001(?:\s*\^\s*\{?\s*([23])\s*\}?)?/g, (_m, power: string | undefined) => {
    units[k] = canonicalUnit(units[k] ?? '', Number(power ?? 1));
    k++;
    return '';
  });
  s = s.replace(/\s+(?:or|and)\s+/g, ',');
  s = s.replace(/\s*(?:dollars?|USD)\s*$/i, () => {
    units.push('dollar');
    return '';
  });
  // `\text{not } 5`, `5 \text{ or more}`, `\text{at least } 5`: words that change the value are no
  // unit, and such an answer is not a plain value: it equals nothing.
  if (qualified) return '';
  const trailing = stripTrailingUnits(s.trim());
  if (trailing.unit !== '') units.push(trailing.unit);
  result.unit = units.filter((u) => u !== '').join(' ');
  return trailing.text;
}

/** From the signs on: choice letter, words, units, spacing. */
function finishAnswer(s: string, result: NormalizedAnswer): NormalizedAnswer {
  s = takeSigns(s, result);
  s = braceArguments(s.trim());
  s = takeChoice(s.trim(), result);

  // A whole answer in \text{...}: words (a name, a direction, a multiple-choice letter, a number).
  const whole = /^\\text\{(.*)\}$/s.exec(s);
  if (whole && matchingBrace(s, 5) === s.length - 1) {
    const inner = whole[1]!.trim();
    if (!/\\[a-zA-Z]|[\d=]/.test(inner) || /^\(?[A-Ea-e]\)?$/.test(inner)) {
      const number = numberFromWords(inner);
      if (number !== undefined) {
        result.text = number;
        return result;
      }
      result.text = inner.replace(/\s+/g, ' ');
      result.isText = true;
      return result;
    }
  }
  s = takeUnits(s, result);
  s = s.replace(/[.\s]+$/, '');
  const spelled = /^[a-zA-Z -]+$/.test(s) ? numberFromWords(s) : undefined;
  if (spelled !== undefined) s = spelled;
  s = mixedNumber(s.trim());
  // A one-digit subscript or power ends at the space: `\log_2 8` is log base 2 of 8, not base 28.
  s = s.replace(/([_^])(\d)\s+(?=\d)/g, '$1{$2}');
  // Digits separated only by a space (`2 3`) are neither one number nor a clear list.
  if (/\d\s+\d/.test(s)) return result;
  // Insignificant spaces go, except where one ends a command name before a letter (`\cot x`).
  s = s.replace(/(\\[a-zA-Z]+)\s+(?=[a-zA-Z])/g, '$1\u0000').replace(/\s+/g, '').replace(/\u0000/g, ' ');
  s = s.replace(/^\{([^{}]*)\}$/, '$1');
  // `\sqrt{x^2}` is `|x|` for a real x (never `x`).
  s = s.replace(/\\sqrt\{([a-zA-Z])\^\{?2\}?\}/g, '|$1|');
  s = s.replace(/\\\{\\\}/g, '\\emptyset').replace(/\u0002/g, '\\\\');
  result.text = s;
  return result;
}
