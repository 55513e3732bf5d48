import { Command, CommanderError } from 'commander';
import { ExitCode, exitCodeFor, InputError, BackendUnreachableError } from '../core/errors.ts';
import { commands } from './commands/index.ts';
import { version } from '../core/version.ts';

/** The command a command line names (`thinkprobe run ...`, `thinkprobe help run`), if any. */
export function commandNamed(args: readonly string[]): string | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * Builds the `thinkprobe` program for one command line. Only the command it names is loaded in
 * full; the others are listed by name and summary, so `--help` does not import the whole app.
 * Without `argv`, every command is loaded (for tools that inspect the whole program).
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('thinkprobe')
    .description('A test runner for the thinking of reasoning models.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    // Commander's own usage errors read like ours: `thinkprobe: unknown option '--x'`.
    .configureOutput({ outputError: (text, write) => write(`thinkprobe: ${text.replace(/^error: /, '')}`) })
    .exitOverride();
  const wanted = argv === undefined ? undefined : commandNamed(argv.slice(2));
  for (const entry of commands) {
    if (argv === undefined || entry.name === wanted) (await entry.load())(program);
    else program.command(entry.name).description(entry.summary);
  }
  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors are bad input.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    // Loaded only on failure: the terminal module pulls in chalk, which --help does not need.
    const { terminalSafe } = await import('../reports/terminal.ts');
    if (error instanceof InputError || error instanceof BackendUnreachableError) {
      // Messages can quote server replies and dataset values: never let them drive the terminal.
      process.stderr.write(`thinkprobe: ${terminalSafe(error.message)}\n`);
      return exitCodeFor(error);
    }
    process.stderr.write(`thinkprobe: internal error: ${terminalSafe(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    return ExitCode.internalError;
  }
}
