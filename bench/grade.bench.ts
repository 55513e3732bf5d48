/**
 * bench:grade — answers graded per second on the bundled cases (src/grading/cases.jsonl):
 * the synchronous fast path, the symbolic engine in-process (what one worker does), and the
 * time-bounded worker grader end to end (fast path first, workers for the rest), plus answer
 * extraction on a long output; then the model requests one teacher-forced L-hat probe spends, on
 * the simulator over HTTP (bench/probe-cost.ts). Last line: one JSON object.
 */
import { readFileSync } from 'node:fs';
import { createGrader, equivalentSync, extractAnswer } from '../src/grading/index.ts';
import { equivalentSymbolic } from '../src/grading/symbolic.ts';
import { measureProbeCost } from './probe-cost.ts';

interface Case {
  gold: string;
  pred: string;
}

const cases: Case[] = readFileSync(new URL('../src/grading/cases.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Case);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 2);

/** Runs `pass` (which grades `count` answers) until `seconds` have passed; answers per second. */
async function rate(count: number, pass: () => unknown): Promise<number> {
  await pass(); // warm-up
  let graded = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await pass();
    graded += count;
  }
  return graded / ((performance.now() - started) / 1000);
}

const deferred = cases.filter((c) => equivalentSync(c.gold, c.pred) === undefined);
const decidedShare = 1 - deferred.length / cases.length;

const fastPerS = await rate(cases.length, () => {
  for (const c of cases) equivalentSync(c.gold, c.pred);
});
const symbolicPerS = await rate(cases.length, () => {
  for (const c of cases) equivalentSymbolic(c.gold, c.pred);
});
const symbolicOnlyPerS = await rate(deferred.length, () => {
  for (const c of deferred) equivalentSymbolic(c.gold, c.pred);
});

async function workerRate(workers: number, set: Case[]): Promise<{ perS: number; startMs: number }> {
  const grader = createGrader({ workers, timeoutMs: 5000 });
  const t0 = performance.now();
  await grader.grade('\\sqrt{2}', '\\sqrt{2}+0'); // first symbolic call waits for a worker to start
  const startMs = performance.now() - t0;
  const perS = await rate(set.length, () => Promise.all(set.map((c) => grader.grade(c.gold, c.pred))));
  await grader.close();
  return { perS, startMs };
}
const worker1 = await workerRate(1, cases);
const worker2 = await workerRate(2, cases);
const worker1Deferred = await workerRate(1, deferred);

// Extraction: a ~16k-character output with many boxes in the thinking and one after it.
const output = `${'Let me reconsider \\boxed{\\frac{1}{2}} and the case n=3. Wait, '.repeat(250)}</think>\n\nSo the answer is \\boxed{\\left(3, \\frac{\\pi}{2}\\right)}.`;
const extractPerS = await rate(1000, () => {
  for (let k = 0; k < 1000; k++) extractAnswer(output, { thinkClose: '</think>' });
});

// Confidence probes: model requests spent per teacher-forced L-hat probe, on the simulator over HTTP.
const probeCost = await measureProbeCost();

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`cases                          ${cases.length} (${deferred.length} need the symbolic engine; fast path decides ${(decidedShare * 100).toFixed(1)}%)`);
console.log(`fast path (sync, main thread)  ${fmt(fastPerS)} answers/s`);
console.log(`symbolic in-process, all cases ${fmt(symbolicPerS)} answers/s`);
console.log(`symbolic in-process, deferred  ${fmt(symbolicOnlyPerS)} answers/s`);
console.log(`worker grader, 1 worker        ${fmt(worker1.perS)} answers/s (worker start ${fmt(worker1.startMs)} ms)`);
console.log(`worker grader, 2 workers       ${fmt(worker2.perS)} answers/s (worker start ${fmt(worker2.startMs)} ms)`);
console.log(`worker grader, deferred only   ${fmt(worker1Deferred.perS)} answers/s`);
console.log(`extraction, 16k-char output    ${fmt(extractPerS)} outputs/s`);
console.log(
  `teacher-forced L-hat probe     ${probeCost.requestsPerProbe.toFixed(2)} requests/probe (${probeCost.referenceTokensPerProbe.toFixed(2)} reference tokens, ${probeCost.newPrefillPerProbe.toFixed(1)} new prefill, ${probeCost.decodedPerProbe.toFixed(2)} decoded; ${probeCost.probes} probes)`,
);
console.log(
  JSON.stringify({
    graded_per_s: Math.round(worker1.perS),
    fast_path_per_s: Math.round(fastPerS),
    fast_path_decided_share: Number(decidedShare.toFixed(3)),
    symbolic_inprocess_per_s: Math.round(symbolicPerS),
    symbolic_deferred_only_per_s: Math.round(symbolicOnlyPerS),
    worker_1_per_s: Math.round(worker1.perS),
    worker_2_per_s: Math.round(worker2.perS),
    worker_deferred_only_per_s: Math.round(worker1Deferred.perS),
    worker_start_ms: Math.round(worker1.startMs),
    extract_per_s: Math.round(extractPerS),
    requests_per_lhat_probe: Number(probeCost.requestsPerProbe.toFixed(3)),
    reference_tokens_per_lhat_probe: Number(probeCost.referenceTokensPerProbe.toFixed(3)),
    cases: cases.length,
  }),
);
