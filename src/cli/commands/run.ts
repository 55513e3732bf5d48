import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { ExitCode, InputError } from '../../core/errors.ts';
import { terminalSummary } from '../../reports/terminal.ts';
import { progressDisplay, type ProgressDisplay } from '../../runner/progress.ts';
import { prepareSuite, runSuite, type PreparedSuite, type RunSuiteOptions, type RunSuiteOutcome } from '../../runner/run-suite.ts';
import { integerFlag } from '../flags.ts';

interface RunFlags {
  model?: string;
  host?: string;
  template?: string;
  samples?: string;
  concurrency?: string;
  seed?: string;
  filter?: string;
  out: string;
  updateGolden?: boolean;
  reporter: string;
  fresh?: boolean;
  html: boolean;
  offline?: boolean;
  from?: string;
}

const REPORTERS = ['default', 'json', 'silent'] as const;
const DEFAULT_SUITE = 'suites/quickstart.suite.ts';

/** 128 + the signal's number, as shells report a process a signal stopped. */
function signalExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/** `thinkprobe run [suite...]`: the test runner users meet. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run suites: every problem under every intervention, graded, checked, and reported.')
    .argument('[suites...]', `suite files (.suite.ts, .json, .yaml); default ${DEFAULT_SUITE}`)
    .option('--model <name>', "model to run: an Ollama model (e.g. qwq) or sim:<card> for the built-in simulator; default: the suite's")
    .option('--host <url>', 'model server(s), e.g. http://gpu-box:11434; several: a:11434#4,b:11434#2 or repeat --host (#N = slots); default: OLLAMA_HOST, else http://127.0.0.1:11434', (value: string, previous?: string) => (previous ? `${previous},${value}` : value))
    .option('--template <name>', "chat template: chatml-qwq, qwen3 or deepseek-r1 (default: the suite's, else picked from the model's /api/show)")
    .option('--samples <n>', "samples per problem and intervention (default: the suite's)")
    .option('--concurrency <n>', 'requests in flight = server slots (OLLAMA_NUM_PARALLEL); default 4 on the simulator, 1 on Ollama')
    .option('--seed <n>', "base seed (default: the suite's)")
    .option('--filter <text>', 'only problems whose id contains this text, or matches /regex/')
    .option('--out <dir>', 'folder for run outputs (<dir>/<suite>/<run-id>/)', 'reports')
    .option('--update-golden', 'write golden/<suite>/<model>.json from this run instead of comparing against it')
    .option('--reporter <name>', `terminal output: ${REPORTERS.join(', ')}`, 'default')
    .option('--fresh', 'start a new run even if an interrupted run of the same configuration can be resumed')
    .option('--no-html', 'skip the HTML report')
    .option('--offline', 're-analyse an earlier run without any server (needs --from)')
    .option('--from <dir>', 'with --offline: the run folder whose stored completions answer every request')
    .action(runAction);
}

/** Runs every suite in turn; every suite, dataset and flag is checked before any work starts. */
async function runAction(suiteArgs: string[], flags: RunFlags): Promise<void> {
  checkFlags(flags);
  const suites = suiteArgs.length > 0 ? suiteArgs : [DEFAULT_SUITE];
  if (suiteArgs.length === 0 && !existsSync(DEFAULT_SUITE)) throw new InputError('thinkprobe run', `expected a suite file (no ${DEFAULT_SUITE} here)`);
  const base = suiteOptions(flags);
  // A broken second suite must not cost the first one's run.
  const prepared: PreparedSuite[] = [];
  for (const suiteFile of suites) prepared.push(await prepareSuite({ ...base(suiteFile), log: () => undefined }));
  const terminal = new Terminal(flags.reporter);
  const signals = stopOnSignals(terminal);
  const ollamaHost = process.env['OLLAMA_HOST'];
  if (ollamaHost && flags.reporter !== 'silent' && prepared.some((p) => p.suite.model.startsWith('sim:'))) {
    // Users often keep OLLAMA_HOST set; unlike --host it is not a request to use that server for sim: models.
    terminal.say(`thinkprobe: note: OLLAMA_HOST is set but sim: models run in-process; to use a simulator over HTTP run \`thinkprobe sim --port P\` and --model sim-qwq --host http://127.0.0.1:P`);
  }
  let exitCode: number = ExitCode.ok;
  const runDirs: string[] = [];
  try {
    for (const [index, suiteFile] of suites.entries()) {
      const label = (stage: string): string => (suites.length > 1 ? `${suiteFile}: ${stage}` : stage);
      const outcome = await terminal.running((progress) =>
        runSuite({ ...base(suiteFile), signal: signals.signal, log: (line) => progress.log(line), onProgress: (p) => progress.update(p), onStage: (stage) => progress.stage(label(stage)) }, prepared[index]),
      );
      if (outcome.status === 'interrupted') {
        terminal.write(`${signals.stoppedBy() === 'SIGTERM' ? 'terminated' : 'interrupted'}: finished work is kept in ${outcome.runDir}; rerun the same command to resume`);
        return void (process.exitCode = signalExitCode(signals.stoppedBy() ?? 'SIGINT'));
      }
      if (reportOutcome(outcome, flags.reporter)) exitCode = ExitCode.checkFailed;
      runDirs.push(outcome.runDir);
    }
    // With several suites, each summary scrolls the previous one away: name every folder at the end.
    if (runDirs.length > 1 && flags.reporter === 'default') process.stdout.write(`\n Reports  ${runDirs.join('\n          ')}\n`);
    process.exitCode = exitCode;
  } finally {
    signals.dispose();
  }
}

/** Flags that contradict each other or name no reporter: bad input before anything is read. */
function checkFlags(flags: RunFlags): void {
  if (!(REPORTERS as readonly string[]).includes(flags.reporter)) throw new InputError('--reporter', `expected one of ${REPORTERS.join(', ')}, got "${flags.reporter}"`);
  if (flags.offline === true && flags.from === undefined) throw new InputError('--offline', 'expected --from RUN_DIR: the earlier run whose store answers the requests');
  if (flags.from !== undefined && flags.offline !== true) throw new InputError('--from', 'expected --offline with it (re-analysis answers only from the stored run)');
  if (flags.offline === true && flags.host !== undefined) throw new InputError('--host', 'expected no server with --offline (every answer comes from --from)');
}

/** The run options the flags give, per suite file. */
function suiteOptions(flags: RunFlags): (suiteFile: string) => Omit<RunSuiteOptions, 'log'> {
  const samples = flags.samples === undefined ? undefined : integerFlag('--samples', flags.samples, 1, 10_000);
  const concurrency = flags.concurrency === undefined ? undefined : integerFlag('--concurrency', flags.concurrency, 1, 256);
  const seed = flags.seed === undefined ? undefined : integerFlag('--seed', flags.seed, 0, 2 ** 31 - 1);
  return (suiteFile) => ({
    suiteFile,
    ...(flags.model ? { model: flags.model } : {}),
    ...(flags.host ? { host: flags.host } : {}),
    ...(flags.template ? { template: flags.template } : {}),
    ...(samples ? { samples } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(concurrency ? { concurrency } : {}),
    ...(flags.filter ? { filter: flags.filter } : {}),
    out: flags.out,
    updateGolden: flags.updateGolden === true,
    fresh: flags.fresh === true,
    html: flags.html,
    ...(flags.offline === true && flags.from !== undefined ? { offlineFrom: flags.from } : {}),
  });
}

/** stderr while suites run: the one display on screen, so nothing interleaves with the progress bar. */
class Terminal {
  private display: ProgressDisplay | undefined;
  private readonly interactive: boolean;

  constructor(private readonly reporter: string) {
    this.interactive = process.stderr.isTTY === true && process.env['CI'] !== 'true' && reporter === 'default';
  }

  write(line: string): void {
    process.stderr.write(`${line}\n`);
  }

  /** A silent reporter's display swallows its lines; signal and warning lines are said whatever the reporter. */
  say(line: string): void {
    if (this.display && this.reporter !== 'silent') this.display.log(line);
    else this.write(line);
  }

  /** Clears the bar, or it stays on the line the shell prompt lands on. */
  stop(): void {
    this.display?.stop();
  }

  /** Runs one suite behind a progress display of its own. */
  async running<T>(run: (progress: ProgressDisplay) => Promise<T>): Promise<T> {
    const progress = progressDisplay({ interactive: this.interactive, write: this.reporter === 'silent' ? () => undefined : (line) => this.write(line) });
    this.display = progress;
    try {
      return await run(progress);
    } finally {
      progress.stop();
      this.display = undefined;
    }
  }
}

/**
 * Ctrl-C (SIGINT) and a supervisor's SIGTERM both stop after the requests in flight and keep the
 * run resumable; each exits with its own code (128 + signal) and says which it was. A second one quits at once.
 */
function stopOnSignals(terminal: Terminal): { signal: AbortSignal; stoppedBy(): 'SIGINT' | 'SIGTERM' | undefined; dispose(): void } {
  const controller = new AbortController();
  let stoppedBy: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (controller.signal.aborted) {
      terminal.stop();
      process.exit(signalExitCode(stoppedBy ?? signal));
    }
    stoppedBy = signal;
    terminal.say(
      signal === 'SIGINT'
        ? 'stopping: finishing requests in flight (Ctrl-C again to quit at once); rerun the same command to resume'
        : 'terminated (SIGTERM): finishing requests in flight (a second SIGTERM quits at once); rerun the same command to resume',
    );
    controller.abort(new Error(signal === 'SIGINT' ? 'interrupted' : 'terminated'));
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    stoppedBy: () => stoppedBy,
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** Prints a finished suite's outcome as the reporter asks; true when the run failed. */
function reportOutcome(outcome: RunSuiteOutcome, reporter: string): boolean {
  // Errored results beyond maxErrorRate, or no check evaluated, fail the run too (checks/verdict.ts).
  const failed = outcome.verdict ? !outcome.verdict.passed : outcome.checks.some((c) => c.verdict === 'fail' || c.verdict === 'error');
  if (reporter === 'json') process.stdout.write(`${JSON.stringify({ runDir: outcome.runDir, run: outcome.data?.run, interventions: outcome.data?.interventions, checks: outcome.checks })}\n`);
  if (outcome.goldenWritten) process.stdout.write(`golden written: ${outcome.goldenWritten}\n`);
  // The last line names the run folder, whatever the reporter.
  if (reporter === 'default' && outcome.data) process.stdout.write(terminalSummary(outcome.data, { runDir: outcome.runDir }));
  else process.stdout.write(`${outcome.runDir}\n`);
  return failed;
}
