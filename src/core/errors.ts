/**
 * Errors that the CLI turns into one clear line and an exit code.
 * Anything else that escapes is a bug and is reported as such.
 */

export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  badInput: 2,
  backendUnreachable: 3,
  /** A bug in thinkprobe (sysexits' EX_SOFTWARE): never confused with a failed check. */
  internalError: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad suite, dataset, card, CLI flag or configuration: the user must fix something. Exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** `where` names the file, field, flag or request at fault, e.g. `suites/a.yaml: /interventions/0/budget`. */
  constructor(
    readonly where: string,
    readonly expected: string,
  ) {
    super(`${where}: ${expected}`);
  }
}

/** The model server cannot be reached or does not serve what the run needs. Exit 3. */
export class BackendUnreachableError extends Error {
  override readonly name = 'BackendUnreachableError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message} (${hint})` : message);
  }
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof InputError) return ExitCode.badInput;
  if (error instanceof BackendUnreachableError) return ExitCode.backendUnreachable;
  return ExitCode.internalError;
}

/**
 * Server replies and model output inside an error message: control and escape characters are
 * written as visible `\uXXXX` escapes (so the message is safe in a terminal, a file or a report,
 * whoever prints it), and long text is cut to `max` characters.
 */
export function escapeServerText(text: string, max = 200): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** escapeServerText in double quotes, for text quoted mid-sentence. */
export function quoteServerText(text: string, max = 200): string {
  return `"${escapeServerText(text, max)}"`;
}
