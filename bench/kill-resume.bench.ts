/**
 * `npm run bench:resume`: a run killed with SIGKILL K times and resumed each time ends with the
 * same results as the same run left alone (issue 15: "the kill -9 resume campaign still gives
 * identical results"). A gate, not a timing: it exits 1 on any difference.
 *
 * Method:
 * - The simulator runs in its own process (`thinkprobe sim --port 0 --parallel 4`), without an
 *   answer key: one check of suites/termination.yaml (the Dynasor property) fails, so a finished
 *   run exits 1; exit codes 0 and 1 both mean "finished", anything else is an error.
 * - Reference: `node bin/thinkprobe.js run suites/termination.yaml --model sim-qwq --host URL
 *   --concurrency 4 --no-html --out TMP/ref`, a child process left alone. Its working time T is
 *   measured from its first `stage` line on stderr (modules loaded, run folder open) to its exit.
 * - Campaign: the same command with `--out TMP/killed`. K kill moments (BENCH_KILLS, default 6)
 *   are drawn uniformly in [10%, 90%] of T (seeded PRNG src/core/random.ts, BENCH_SEED, default 1)
 *   and sorted; they are read on a working clock that runs while an attempt runs past its first
 *   `stage` line, so attempt i gets SIGKILL once it has worked moment(i) - moment(i-1), and the
 *   kills spread over the run's length (generation, L-hat probes, checks, the property check's
 *   reruns). A resumed attempt first replays finished work from its store, which also takes
 *   working time, so a kill lands at or before its moment's point of the reference run; short gaps
 *   kill during the replay itself. After each kill the same command runs again; the last attempt
 *   is left to finish. An attempt that finishes before its kill (a busy machine makes T vary run to
 *   run) ends the campaign early: a warning line, and the kills made are reported (none: exit 1).
 * - Every attempt after a kill must print `resuming interrupted run <id>` naming the one run folder
 *   under TMP/killed/termination/ (exactly one folder there after every attempt); the first must not.
 * - Compared, reference against killed run, after removing STRIPPED fields at any depth:
 *   every row of results.jsonl (same count, matched by key); the checks and the verdict of
 *   summary.json (name, verdict, summary, evidence, counterexample); and the stored rows,
 *   `openStore(store.sqlite).results(runId)`, traces included.
 *   STRIPPED is what differed between two uninterrupted runs of this command (measured): results
 *   rows' cost.tree.wallMs; stored rows' runId and cost.tree.wallMs. (summary.json also differs
 *   in run.id, run.startedAt, run.finishedAt and estimate.actual.wallMs, outside what is compared.)
 *
 * Prints one line per attempt, a line per kind of difference found, then one JSON line:
 * {"kills":6,"attempts":7,"rows":240,"identical_rows":240,"identical_checks":true,"identical_stored_rows":true}
 * BENCH_TAMPER=1 changes one row of the killed run's results.jsonl before the comparison (the
 * bench must then report it and exit 1). The temp folder is kept when anything differs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../src/core/random.ts';
import { openStore } from '../src/store/sqlite-store.ts';
import { startSimChild } from './sim-child.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SUITE = 'suites/termination.yaml';
const SUITE_NAME = 'termination';
const SLOTS = 4;
const STRIPPED = new Set(['wallMs', 'runId']);

interface Attempt {
  /** Exit code, or undefined when killed. */
  code: number | undefined;
  killed: boolean;
  /** From the first `stage` line to exit or kill. */
  workMs: number;
  resumedRunId: string | undefined;
  lastProgress: string;
}

/** One `thinkprobe run` child; SIGKILL once it has worked `killAfterMs` (see the header). */
function runAttempt(url: string, out: string, killAfterMs?: number): Promise<Attempt> {
  const args = ['bin/thinkprobe.js', 'run', SUITE, '--model', 'sim-qwq', '--host', url, '--concurrency', String(SLOTS), '--no-html', '--out', out];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let workStart: number | undefined;
  let killed = false;
  let timer: NodeJS.Timeout | undefined;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (workStart !== undefined || !/^stage /m.test(stderr)) return;
    workStart = performance.now();
    if (killAfterMs !== undefined) {
      timer = setTimeout(() => {
        killed = child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
      }, killAfterMs);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const workMs = workStart === undefined ? 0 : performance.now() - workStart;
      if (!killed && code !== 0 && code !== 1) return reject(new Error(`thinkprobe run exited with ${code ?? signal}:\n${stderr}`));
      const resumedRunId = /^resuming interrupted run (\S+):/m.exec(stderr)?.[1];
      const lastProgress = [/^stage .*$/gm, /^progress .*$/gm].map((re) => stderr.match(re)?.at(-1) ?? '-').join(' · ');
      resolve({ code: code ?? undefined, killed, workMs, resumedRunId, lastProgress });
    });
  });
}

/** The one run folder under <out>/termination/: a second one means an attempt did not resume. */
function onlyRunFolder(out: string): string {
  const folders = readdirSync(join(out, SUITE_NAME));
  if (folders.length !== 1) throw new Error(`${out}/${SUITE_NAME}: expected exactly one run folder, found ${folders.length}: ${folders.join(', ')}`);
  return folders[0]!;
}

/** Sorted kill moments, uniform in [10%, 90%] of the reference's working time. */
function killMoments(kills: number, seed: number, workMs: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: kills }, () => workMs * (0.1 + 0.8 * random())).sort((a, b) => a - b);
}

/** Kills and resumes the run (see the header); returns the attempts made. */
async function campaign(url: string, out: string, moments: number[]): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  let previous = 0;
  for (let i = 0; i <= moments.length; i++) {
    const killAfter = i < moments.length ? moments[i]! - previous : undefined;
    const attempt = await runAttempt(url, out, killAfter);
    attempts.push(attempt);
    const runId = onlyRunFolder(out);
    const shouldResume = i > 0;
    if (shouldResume && attempt.resumedRunId !== runId) throw new Error(`attempt ${i + 1}: expected "resuming interrupted run ${runId}", got ${attempt.resumedRunId ?? 'no resume line'}`);
    if (!shouldResume && attempt.resumedRunId !== undefined) throw new Error(`attempt 1 resumed ${attempt.resumedRunId} in a fresh folder`);
    const how = attempt.killed ? `killed after ${Math.round(attempt.workMs)} ms of work` : `finished (exit ${attempt.code}) after ${Math.round(attempt.workMs)} ms of work`;
    process.stdout.write(`attempt ${i + 1}: ${shouldResume ? `resumed ${runId}` : `started ${runId}`}, ${how}; last: ${attempt.lastProgress}\n`);
    if (!attempt.killed) {
      if (i < moments.length) process.stdout.write(`warning: attempt ${i + 1} finished before its kill: ${i} of ${moments.length} kills made\n`);
      return attempts;
    }
    previous = moments[i]!;
  }
  throw new Error('the last attempt was killed');
}

/** The value without STRIPPED keys, objects' keys sorted, so equal content prints equal. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).filter(([k]) => !STRIPPED.has(k));
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, canonical(v)]));
}

/** The first path at which two canonical values differ, for the difference line. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return `${path || '(root)'}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const found = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (found) return found;
  }
  return `${path}: ${JSON.stringify(a).slice(0, 80)} vs ${JSON.stringify(b).slice(0, 80)}`;
}

/** Rows matched by key: how many of the reference's rows the other side has, equal; prints the first difference. */
function compareRows(what: string, ref: { key: string }[], other: { key: string }[]): number {
  const byKey = new Map(other.map((row) => [row.key, canonical(row)]));
  let identical = 0;
  let reported = false;
  for (const row of ref) {
    const mine = canonical(row);
    const theirs = byKey.get(row.key);
    const diff = theirs === undefined ? 'missing' : firstDifference(mine, theirs, '');
    if (diff === undefined) identical++;
    else if (!reported) {
      reported = true;
      process.stdout.write(`difference in ${what}, row ${row.key}: ${diff}\n`);
    }
  }
  if (ref.length !== other.length) process.stdout.write(`difference in ${what}: ${ref.length} rows vs ${other.length}\n`);
  return identical;
}

const readJsonl = (file: string): { key: string }[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { key: string });

function storedRows(runDir: string, runId: string): { key: string }[] {
  const store = openStore(join(runDir, 'store.sqlite'));
  try {
    return store.results(runId);
  } finally {
    store.close();
  }
}

/** The checks and verdict of summary.json, canonical. */
function checksOf(runDir: string): unknown {
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { checks: unknown; verdict: unknown };
  return canonical({ checks: summary.checks, verdict: summary.verdict });
}

/** BENCH_TAMPER: one row's answer changed, as a resume bug might, to prove the comparison can fail. */
function tamper(runDir: string): void {
  const file = join(runDir, 'results.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  const row = JSON.parse(lines[0]!) as Record<string, unknown>;
  lines[0] = JSON.stringify({ ...row, answer: `${String(row['answer'])}1` });
  writeFileSync(file, lines.join('\n'));
  process.stdout.write(`BENCH_TAMPER: changed the answer of ${String(row['key'])} in the killed run's results.jsonl\n`);
}

async function main(): Promise<void> {
  const kills = Number(process.env['BENCH_KILLS'] ?? 6);
  const seed = Number(process.env['BENCH_SEED'] ?? 1);
  if (!Number.isInteger(kills) || kills < 0) throw new Error(`BENCH_KILLS: expected a whole number >= 0, got "${process.env['BENCH_KILLS']}"`);
  if (!Number.isInteger(seed)) throw new Error(`BENCH_SEED: expected an integer, got "${process.env['BENCH_SEED']}"`);
  const tmp = mkdtempSync(join(tmpdir(), 'thinkprobe-kill-resume-'));
  const sim = await startSimChild(['--parallel', String(SLOTS)]);
  let same = false;
  try {
    const ref = await runAttempt(sim.url, join(tmp, 'ref'));
    const refId = onlyRunFolder(join(tmp, 'ref'));
    const refDir = join(tmp, 'ref', SUITE_NAME, refId);
    process.stdout.write(`reference: finished (exit ${ref.code}) after ${Math.round(ref.workMs)} ms of work, seed ${seed}\n`);
    const attempts = await campaign(sim.url, join(tmp, 'killed'), killMoments(kills, seed, ref.workMs));
    const killedId = onlyRunFolder(join(tmp, 'killed'));
    const killedDir = join(tmp, 'killed', SUITE_NAME, killedId);
    if (process.env['BENCH_TAMPER'] === '1') tamper(killedDir);
    const refRows = readJsonl(join(refDir, 'results.jsonl'));
    const killedRows = readJsonl(join(killedDir, 'results.jsonl'));
    const identicalRows = compareRows('results.jsonl', refRows, killedRows);
    const checksDifference = firstDifference(checksOf(refDir), checksOf(killedDir), 'summary.json');
    if (checksDifference) process.stdout.write(`difference in checks: ${checksDifference}\n`);
    const refStored = storedRows(refDir, refId);
    const killedStored = storedRows(killedDir, killedId);
    const identicalStored = compareRows('stored rows', refStored, killedStored) === refStored.length && refStored.length === killedStored.length;
    const made = attempts.filter((a) => a.killed).length;
    same = (made > 0) === (kills > 0) && refRows.length === killedRows.length && identicalRows === refRows.length && checksDifference === undefined && identicalStored;
    const final = { kills: made, attempts: attempts.length, rows: refRows.length, identical_rows: identicalRows, identical_checks: checksDifference === undefined, identical_stored_rows: identicalStored };
    process.stdout.write(`${JSON.stringify(final)}\n`);
  } finally {
    sim.child.kill('SIGTERM');
    if (same) rmSync(tmp, { recursive: true, force: true });
    else process.stdout.write(`kept ${tmp} for inspection\n`);
  }
  if (!same) process.exitCode = 1;
}

await main();
