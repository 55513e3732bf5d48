import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ExitCode, InputError } from '../../core/errors.ts';
import { createGrader, DEFAULT_TIMEOUT_MS, gradeResponse, type Grader, type ResponseGrade } from '../../grading/index.ts';
import { terminalSafe } from '../../reports/terminal.ts';
import { integerFlag } from '../flags.ts';

interface GradeFlags {
  cases?: string;
  thinkClose?: string;
  timeoutMs: string;
  workers: string;
  check?: boolean;
  exitCode?: boolean;
}

interface GradeCase {
  gold: string;
  pred: string;
  expected?: boolean;
  /** Line number in the cases file. */
  line?: number;
}

const EXPECTED_LINE = 'expected {"gold": string, "pred": string}';

/** Reads and validates every line before grading anything, so bad input prints no partial output. */
export async function readCases(file: string, requireExpected: boolean): Promise<GradeCase[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InputError(file, `expected a readable JSONL file of {"gold", "pred"} lines (${reason})`);
  }
  const cases: GradeCase[] = [];
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!.trim();
    if (line === '') continue;
    const where = `${file}:${k + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new InputError(where, EXPECTED_LINE);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(where, EXPECTED_LINE);
    const record = value as Record<string, unknown>;
    if (typeof record.gold !== 'string' || typeof record.pred !== 'string') throw new InputError(where, EXPECTED_LINE);
    const expected = record.equivalent;
    if (requireExpected && typeof expected !== 'boolean') {
      throw new InputError(where, 'expected {"gold": string, "pred": string, "equivalent": boolean} (--check)');
    }
    cases.push({ gold: record.gold, pred: record.pred, line: k + 1, ...(typeof expected === 'boolean' ? { expected } : {}) });
  }
  return cases;
}

interface Graded {
  equivalent: boolean;
  /** How equivalence was decided; `none` when no answer was found in PRED. */
  method: string;
  extracted: string | null;
  extraction: string;
}

/**
 * PRED may be a bare answer or a whole response: the runner's own path (last box, answer
 * phrase; nothing before the thinking closes), with the whole answer section as the answer when
 * nothing is boxed or phrased.
 */
async function gradeOne(grader: Grader, c: GradeCase, thinkClose: string | undefined): Promise<Graded> {
  const close = thinkClose ?? (c.pred.includes('</think>') || c.pred.includes('<think>') ? '</think>' : undefined);
  const grade: ResponseGrade = await gradeResponse(c.gold, c.pred, { grader, thinkClose: close, wholeAnswer: true });
  return {
    equivalent: grade.correct,
    method: grade.grading ?? 'none',
    extracted: grade.extracted ?? null,
    extraction: grade.method ?? 'none',
  };
}

function line(c: GradeCase, result: Graded, labelled: boolean): string {
  const out: Record<string, unknown> = { gold: c.gold, pred: c.pred, equivalent: result.equivalent, method: result.method };
  out.extracted = result.extracted;
  out.extraction = result.extraction;
  if (labelled && c.expected !== undefined) {
    out.expected = c.expected;
    out.agrees = c.expected === result.equivalent;
  }
  // JSON.stringify escapes C0 controls but leaves C1 controls (U+009B is CSI), line separators and
  // bidi overrides raw; terminalSafe writes those as \uXXXX too (still JSON, same value when parsed).
  return `${terminalSafe(JSON.stringify(out))}\n`;
}

/** Agreement with the labels, then every false positive and miss, one per line (to stderr). */
function summary(file: string, cases: GradeCase[], results: Graded[]): string {
  const labelled = cases.map((c, k) => ({ c, r: results[k]!, k })).filter(({ c }) => c.expected !== undefined);
  if (labelled.length === 0) return '';
  const agree = labelled.filter(({ c, r }) => c.expected === r.equivalent).length;
  const wrong = labelled.filter(({ c, r }) => c.expected !== r.equivalent);
  const falsePositives = wrong.filter(({ c }) => c.expected === false);
  const misses = wrong.filter(({ c }) => c.expected === true);
  const pct = ((100 * agree) / labelled.length).toFixed(1);
  const lines = [`agreement ${agree}/${labelled.length} (${pct}%), false positives ${falsePositives.length}, misses ${misses.length}`];
  for (const { c, r, k } of [...falsePositives, ...misses]) {
    const kind = c.expected === false ? 'false positive' : 'miss';
    lines.push(`${kind} ${file}:${c.line ?? k + 1}: ${JSON.stringify({ gold: c.gold, pred: c.pred, extracted: r.extracted })}`);
  }
  return terminalSafe(`${lines.join('\n')}\n`);
}

/** `thinkprobe grade`: are two answers equivalent? One pair, or a JSONL file of pairs. */
export function registerGrade(program: Command): void {
  program
    .command('grade')
    .description('Grade answers: is PRED equivalent to the reference GOLD? Prints one JSON line per pair.')
    .argument('[gold]', 'reference answer (LaTeX allowed)')
    .argument('[pred]', 'answer to grade')
    .option('--cases <file.jsonl>', 'grade every {"gold", "pred"} line of a JSONL file, in order')
    .option('--timeout-ms <n>', 'time bound per symbolic comparison; past it the pair is not equivalent', String(DEFAULT_TIMEOUT_MS))
    .option('--workers <n>', 'worker threads for symbolic comparisons', '1')
    .option('--check', 'with --cases: require each line\'s "equivalent" field; exit 1 on any disagreement')
    .option('--think-close <s>', 'thinking delimiter in PRED; only text after it is graded (default: </think> when PRED has <think> or </think>)')
    .option('--exit-code', 'exit 1 when any pair is not equivalent (for shell scripts)')
    .addHelpText(
      'after',
      '\nAn answer that starts with "-" but is not a plain number goes after "--":\n  thinkprobe grade -- "-\\frac{1}{2}" -0.5\n\nOutput: {"gold", "pred", "equivalent", "method"}; method is exact (fast path), symbolic\n(compute engine, in a worker), timeout (over --timeout-ms: not equivalent) or worker-error.',
    )
    .action(async (gold: string | undefined, pred: string | undefined, flags: GradeFlags) => {
      const timeoutMs = integerFlag('--timeout-ms', flags.timeoutMs, 1, 600_000);
      const workers = integerFlag('--workers', flags.workers, 1, 64);
      const check = flags.check === true;
      let cases: GradeCase[];
      if (flags.cases !== undefined) {
        if (gold !== undefined) throw new InputError('grade', 'expected either --cases FILE or GOLD PRED, not both');
        cases = await readCases(flags.cases, check);
      } else {
        if (gold === undefined || pred === undefined) throw new InputError('grade', 'expected GOLD and PRED, or --cases FILE.jsonl');
        if (check) throw new InputError('--check', 'expected together with --cases FILE.jsonl');
        cases = [{ gold, pred }];
      }
      const grader = createGrader({ timeoutMs, workers });
      const results: Graded[] = [];
      try {
        // Graded concurrently (up to the worker count), printed in input order.
        const pending = cases.map((c) => gradeOne(grader, c, flags.thinkClose));
        for (let k = 0; k < cases.length; k++) {
          results.push(await pending[k]!);
          process.stdout.write(line(cases[k]!, results[k]!, true));
        }
      } finally {
        await grader.close();
      }
      if (flags.cases !== undefined) process.stderr.write(summary(flags.cases, cases, results));
      const allEquivalent = results.every((r) => r.equivalent);
      const allAgree = cases.every((c, k) => c.expected === undefined || c.expected === results[k]!.equivalent);
      if ((check && !allAgree) || (flags.exitCode && !allEquivalent)) process.exitCode = ExitCode.checkFailed;
    });
}
