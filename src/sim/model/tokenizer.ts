/**
 * The simulator's tokenizer: a pretokenizer regex, then long chunks cut into fixed 5-code-point
 * pieces from the left. Deterministic and prefix stable: for any text, the concatenation of any
 * prefix of its tokens tokenizes back to exactly those tokens (no alternative looks ahead, every
 * alternative is a maximal run or a bounded run, and cutting from the left never depends on what
 * follows). The same holds for any suffix that starts at a token boundary.
 */

/** Special tokens: always one token each. Longest first so no special shadows another. */
export const SPECIAL_TOKENS: readonly string[] = [
  '<｜end▁of▁sentence｜>',
  '<｜Assistant｜>',
  '<｜User｜>',
  '<|im_start|>',
  '<|endoftext|>',
  '<|im_end|>',
  '</think>',
  '<think>',
];

const SPECIAL_SET = new Set(SPECIAL_TOKENS);

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const PRETOKEN = new RegExp(
  [
    ...SPECIAL_TOKENS.map(escapeRegex),
    ' ?\\p{L}+', // words, with one leading space
    ' ?\\p{N}{1,3}', // digit runs in groups of at most three, with one leading space
    ' ?[^\\s\\p{L}\\p{N}]', // one punctuation mark or symbol, with one leading space
    '\\s+', // whitespace runs
  ].join('|'),
  'gu',
);

const MAX_PIECE = 5;
const SURROGATE = /[\uD800-\uDFFF]/;

function pushPieces(chunk: string, out: string[]): void {
  if (chunk.length <= MAX_PIECE || SPECIAL_SET.has(chunk)) {
    out.push(chunk);
    return;
  }
  if (!SURROGATE.test(chunk)) {
    // A whitespace run must not end in a lone one-character piece: a suffix starting at a lone " "
    // would tokenize as " !" with the next mark instead of " ", "!". The last two pieces become
    // 4 + 2 instead (still prefix stable: no prefix of whole pieces leaves a remainder of 1).
    const tail = chunk.length % MAX_PIECE === 1 && /^\s+$/u.test(chunk) ? MAX_PIECE + 1 : 0;
    const body = chunk.length - tail;
    for (let i = 0; i < body; i += MAX_PIECE) out.push(chunk.slice(i, i + MAX_PIECE));
    if (tail > 0) out.push(chunk.slice(body, body + MAX_PIECE - 1), chunk.slice(body + MAX_PIECE - 1));
    return;
  }
  // Cut by code points so a surrogate pair is never split.
  const points = Array.from(chunk);
  if (points.length <= MAX_PIECE) {
    out.push(chunk);
    return;
  }
  for (let i = 0; i < points.length; i += MAX_PIECE) out.push(points.slice(i, i + MAX_PIECE).join(''));
}

/** Splits text into tokens. `tokens.join('') === text` always. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  PRETOKEN.lastIndex = 0;
  let last = 0;
  for (let m = PRETOKEN.exec(text); m !== null; m = PRETOKEN.exec(text)) {
    if (m.index > last) pushPieces(text.slice(last, m.index), out); // unreachable in practice: every char matches
    pushPieces(m[0], out);
    last = PRETOKEN.lastIndex;
  }
  if (last < text.length) pushPieces(text.slice(last), out);
  return out;
}

/** True when `token` is one of the special tokens. */
export function isSpecialToken(token: string): boolean {
  return SPECIAL_SET.has(token);
}
