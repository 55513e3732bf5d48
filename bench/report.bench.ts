/**
 * bench:report — runs a 5,000-trace study on the simulator (1,000 generated problems x 5
 * interventions), then measures what the report costs; then the same for 5,000 results of QwQ's
 * real length and text (the `long_*` keys): the calibrated twin sim-qwq, in-process, on the 500
 * MATH-500 items x 2 samples x 5 interventions (baseline, noThinking, budget(1024), budget(2048),
 * extend(Wait x1)). Every problem x sample has its own trunk, so lengths follow the twin's MATH-500
 * distribution (~4,650 tokens per response on average, calibrated against QwQ-32B in
 * src/sim/CALIBRATION.md) and no text is reused; branches share their trunk's prefix as in a real
 * run, and a cap that does not fire points at the trunk's trace instead of storing a copy
 * (bench/qwq-length-run.ts says how each trace is made). Needs ../shared/datasets/math500.jsonl.
 *
 * - build_s: buildHtmlReport alone, from the RunData in memory to the HTML string (serialising,
 *   compressing, the bundled client cached as in a long-lived process), median of 3. Loading the
 *   run from its store is not the report's cost: it is printed apart as load_s.
 * - file_mb: the HTML file's size.
 * - first_render_s: from navigation to the first view drawn (body[data-ready]), median of 3 fresh
 *   pages. first_render_cpu_s: the CPU time Chromium's processes spent meanwhile (from /proc,
 *   Linux only): wall time on a machine shared with other work grows with its load, CPU time much less.
 * Targets: build <= 5 s, file <= 20 MB, first render <= 2 s, on both sets.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildHtmlReport } from '../src/reports/html/build.ts';
import { loadRun } from '../src/runner/load-run.ts';
import type { RunData } from '../src/reports/run-data.ts';
import { runSuite } from '../src/runner/run-suite.ts';
import { qwqLengthRun } from './qwq-length-run.ts';
import { launchChromium } from '../tests/browser/chromium.ts';

const work = mkdtempSync(join(tmpdir(), 'thinkprobe-bench-report-'));
const suiteFile = join(work, 'bench-report.suite.json');
writeFileSync(
  suiteFile,
  JSON.stringify({
    name: 'bench-report',
    problems: [
      { family: 'arithmetic-chain', count: 500, difficulty: 2, seed: 1 },
      { family: 'word-problem', count: 500, difficulty: 2, seed: 1 },
    ],
    maxThinkingTokens: 2048,
    answerTokens: 256,
    numCtx: 4096,
    interventions: [{ type: 'baseline' }, { type: 'noThinking' }, { type: 'budget', tokens: 64 }, { type: 'budget', tokens: 128 }, { type: 'probes', every: 64 }],
  }),
);

const runStarted = performance.now();
const outcome = await runSuite({ suiteFile, out: join(work, 'reports'), html: false, log: () => undefined });
const runMs = performance.now() - runStarted;

/** CPU milliseconds (user + system) used so far by every descendant of this process; NaN off Linux. */
function descendantsCpuMs(): number {
  try {
    const parents = new Map<number, { ppid: number; ms: number }>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // Fields after the name: ppid is the 2nd, utime and stime the 12th and 13th, in clock ticks (100 Hz).
        parents.set(Number(entry), { ppid: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * 10 });
      } catch {
        // The process ended while we read: it no longer counts.
      }
    }
    const tree = new Set([process.pid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, p] of parents) {
        if (!tree.has(pid) && tree.has(p.ppid)) {
          tree.add(pid);
          grew = true;
        }
      }
    }
    tree.delete(process.pid);
    return [...tree].reduce((sum, pid) => sum + (parents.get(pid)?.ms ?? 0), 0);
  } catch {
    return Number.NaN;
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function firstRenders(file: string): Promise<{ wallMs: number; cpuMs: number }> {
  const browser = await launchChromium();
  const walls: number[] = [];
  const cpus: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage();
      const cpu0 = descendantsCpuMs();
      const t0 = performance.now();
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      walls.push(performance.now() - t0);
      cpus.push(descendantsCpuMs() - cpu0);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return { wallMs: median(walls), cpuMs: median(cpus) };
}

async function measure(data: RunData, dir: string): Promise<{ buildMs: number; sizeMb: number; rawMb: number; firstRenderMs: number; firstRenderCpuMs: number }> {
  await buildHtmlReport({ ...data, results: [], traces: [], problems: [] }); // bundles the client once, as a long-lived process has
  const builds: number[] = [];
  let html = '';
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    html = await buildHtmlReport(data);
    builds.push(performance.now() - started);
  }
  const buildMs = median(builds);
  const file = join(dir, 'index.html');
  writeFileSync(file, html);
  const render = await firstRenders(file);
  return {
    buildMs,
    sizeMb: Buffer.byteLength(html) / 1e6,
    rawMb: Buffer.byteLength(JSON.stringify(data)) / 1e6,
    firstRenderMs: render.wallMs,
    firstRenderCpuMs: render.cpuMs,
  };
}

// 1. The simulator run, its report rebuilt from the stored records (what `thinkprobe report` does).
const loadStarted = performance.now();
const { data } = loadRun(outcome.runDir);
const loadMs = performance.now() - loadStarted;
const real = await measure(data, outcome.runDir);

// 2. 5,000 results at QwQ's real length and text, where the simulator run's short traces would
//    flatter the file size and render time.
const datasetFile = fileURLToPath(new URL('../../shared/datasets/math500.jsonl', import.meta.url));
if (!existsSync(datasetFile)) {
  console.error(`bench:report: ${datasetFile}: not found; the QwQ-length set is the twin on MATH-500 and needs it`);
  process.exit(2);
}
const genStarted = performance.now();
const longData = qwqLengthRun({ datasetFile, problems: 500, samples: 2 });
const genMs = performance.now() - genStarted;
const responses = longData.results.filter((r) => r.intervention === 'baseline');
const meanTokens = responses.reduce((sum, r) => sum + r.thinkingTokens + r.answerTokens, 0) / Math.max(1, responses.length);
const longDir = mkdtempSync(join(tmpdir(), 'thinkprobe-bench-report-long-'));
const long = await measure(longData, longDir);

const s = (ms: number): string => (ms / 1000).toFixed(2);
console.log(`simulator run        ${data.traces.length} traces in ${(runMs / 1000).toFixed(1)} s`);
console.log(`                     load ${s(loadMs)} s from the store, build ${s(real.buildMs)} s, file ${real.sizeMb.toFixed(1)} MB (${real.rawMb.toFixed(1)} MB of data), first render ${s(real.firstRenderMs)} s (${s(real.firstRenderCpuMs)} s of Chromium CPU)`);
console.log(`QwQ-length traces    ${longData.results.length} results (${longData.traces.length} distinct traces; baseline responses ${meanTokens.toFixed(0)} tokens on average; made in ${s(genMs)} s), build ${s(long.buildMs)} s, file ${long.sizeMb.toFixed(1)} MB (${long.rawMb.toFixed(1)} MB of data), first render ${s(long.firstRenderMs)} s (${s(long.firstRenderCpuMs)} s of Chromium CPU)`);
console.log('targets              build <= 5 s, file <= 20 MB, first render <= 2 s (first render: median of 3)');
console.log(
  JSON.stringify({
    traces: data.traces.length,
    build_s: Number((real.buildMs / 1000).toFixed(3)),
    file_mb: Number(real.sizeMb.toFixed(2)),
    first_render_s: Number((real.firstRenderMs / 1000).toFixed(3)),
    first_render_cpu_s: Number((real.firstRenderCpuMs / 1000).toFixed(3)),
    load_s: Number((loadMs / 1000).toFixed(3)),
    long_build_s: Number((long.buildMs / 1000).toFixed(3)),
    long_file_mb: Number(long.sizeMb.toFixed(2)),
    long_first_render_s: Number((long.firstRenderMs / 1000).toFixed(3)),
    long_first_render_cpu_s: Number((long.firstRenderCpuMs / 1000).toFixed(3)),
    run_s: Number((runMs / 1000).toFixed(1)),
    long_results: longData.results.length,
    long_traces: longData.traces.length,
    long_mean_tokens: Math.round(meanTokens),
    long_raw_mb: Number(long.rawMb.toFixed(2)),
  }),
);
