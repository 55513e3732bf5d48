/** Small, total helpers for scanning LaTeX: balanced groups and top-level splitting. */

/**
 * Index of the `}` that closes the `{` at `open`, or -1 when the braces never balance.
 * Escaped braces (`\{`, `\}`) do not count.
 */
export function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let k = open; k < s.length; k++) {
    const c = s[k];
    if (c === '\\') {
      k++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

/** True when every `{` has its `}` (escaped braces aside) and no `}` comes first. */
export function bracesBalanced(s: string): boolean {
  let depth = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (c === '\\') {
      k++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);

/**
 * Splits `s` at every occurrence of one of `separators` that sits at nesting depth 0.
 * `(`/`[`/`{` and `\{` open, `)`/`]`/`}` and `\}` close, whatever their kind, so the half-open
 * interval `(1,2]` nests like `(1,2)`. Matrix environments count as one group.
 */
export function splitTopLevel(s: string, separators: readonly string[]): string[] {
  return splitTopLevelWith(s, separators).parts;
}

/** Like `splitTopLevel`, also naming the separator found between each pair of parts. */
export function splitTopLevelWith(s: string, separators: readonly string[]): { parts: string[]; found: string[] } {
  const found: string[] = [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let k = 0; k < s.length; k++) {
    if (s.startsWith('\\begin{', k)) {
      depth++;
      k += 6;
      continue;
    }
    if (s.startsWith('\\end{', k)) {
      depth--;
      k += 4;
      continue;
    }
    const c = s[k]!;
    if (c === '\\') {
      const next = s[k + 1];
      if (next === '{') depth++;
      else if (next === '}') depth--;
      if (depth === 0) {
        const sep = separators.find((x) => x.startsWith('\\') && s.startsWith(x, k) && !/[a-zA-Z]/.test(s[k + x.length] ?? ''));
        if (sep) {
          parts.push(s.slice(start, k));
          found.push(sep);
          start = k + sep.length;
          k += sep.length - 1;
          continue;
        }
      }
      k++;
      continue;
    }
    if (OPENERS.has(c)) depth++;
    else if (CLOSERS.has(c)) depth--;
    else if (depth === 0) {
      const sep = separators.find((x) => !x.startsWith('\\') && s.startsWith(x, k));
      if (sep) {
        parts.push(s.slice(start, k));
        found.push(sep);
        start = k + sep.length;
        k += sep.length - 1;
      }
    }
  }
  parts.push(s.slice(start));
  return { parts, found };
}

/**
 * If `s` is entirely one bracketed group (the opener at 0 closes at the last character), returns
 * the opener, closer and inside; `(1,2]` counts, `(1)(2)` does not.
 */
export function outerGroup(s: string): { open: string; close: string; inner: string } | undefined {
  let open: string;
  let start: number;
  if (s.startsWith('\\{')) {
    open = '\\{';
    start = 2;
  } else if (s[0] === '(' || s[0] === '[') {
    open = s[0];
    start = 1;
  } else return undefined;
  let close: string;
  let end: number;
  if (s.endsWith('\\}')) {
    close = '\\}';
    end = s.length - 2;
  } else if (s.endsWith(')') || s.endsWith(']')) {
    close = s[s.length - 1]!;
    end = s.length - 1;
  } else return undefined;
  if (end < start) return undefined;
  // The group must not close before the end: scan depth over the inside.
  let depth = 0;
  for (let k = start; k < end; k++) {
    const c = s[k]!;
    if (c === '\\') {
      const next = s[k + 1];
      if (next === '{') depth++;
      else if (next === '}') depth--;
      k++;
    } else if (OPENERS.has(c)) depth++;
    else if (CLOSERS.has(c)) depth--;
    if (depth < 0) return undefined;
  }
  if (depth !== 0) return undefined;
  return { open, close, inner: s.slice(start, end) };
}
