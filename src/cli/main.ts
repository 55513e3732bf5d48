import { Command, CommanderError } from 'commander';
import { ExitCode, exitCodeFor, InputError, BackendUnreachableError } from '../core/errors.ts';
import { commands } from './commands/index.ts';
import { version } from '../core/version.ts';
import { terminalSafe } from '../reports/terminal.ts';

/** Builds the `thinkprobe` program. Each command lives in its own file under ./commands. */
export function buildProgram(): Command {
  const program = new Command('thinkprobe')
    .description('A test runner for the thinking of reasoning models.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors are bad input.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    if (error instanceof InputError || error instanceof BackendUnreachableError) {
      // Messages can quote server replies and dataset values: never let them drive the terminal.
      process.stderr.write(`thinkprobe: ${terminalSafe(error.message)}\n`);
      return exitCodeFor(error);
    }
    process.stderr.write(`thinkprobe: internal error: ${terminalSafe(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    return ExitCode.internalError;
  }
}
