/**
 * bench:report — runs a 5,000-trace study on the simulator (1,000 generated problems x 5
 * interventions, about 40 s), then measures what the report costs: build time from the run's
 * stored records, file size, and time to first render in Chromium; then the same for 5,000
 * traces of QwQ's length (synthetic, since the simulator's traces on easy problems are short).
 * Targets: build <= 5 s, file <= 20 MB, first render <= 2 s.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildHtmlReport } from '../src/reports/html/build.ts';
import { loadRun } from '../src/runner/load-run.ts';
import type { RunData } from '../src/reports/run-data.ts';
import { runSuite } from '../src/runner/run-suite.ts';
import { syntheticRun } from '../tests/fixtures/synthetic-run.ts';
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

async function measure(data: RunData, dir: string): Promise<{ buildMs: number; sizeMb: number; rawMb: number; firstRenderMs: number }> {
  const started = performance.now();
  const html = await buildHtmlReport(data);
  const buildMs = performance.now() - started;
  const file = join(dir, 'index.html');
  writeFileSync(file, html);
  const browser = await launchChromium();
  const renders: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage();
      const t0 = performance.now();
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      renders.push(performance.now() - t0);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return {
    buildMs,
    sizeMb: Buffer.byteLength(html) / 1e6,
    rawMb: Buffer.byteLength(JSON.stringify(data)) / 1e6,
    firstRenderMs: renders.sort((a, b) => a - b)[1] ?? Number.NaN,
  };
}

// 1. The simulator run, its report rebuilt from the stored records (what `thinkprobe report` does).
const loadStarted = performance.now();
const { data } = loadRun(outcome.runDir);
const loadMs = performance.now() - loadStarted;
const real = await measure(data, outcome.runDir);
real.buildMs += loadMs;

// 2. The same size with QwQ-length traces (~600 words of thinking each, as on GSM8K), where the
//    simulator's short traces would flatter the file size and render time.
const longDir = mkdtempSync(join(tmpdir(), 'thinkprobe-bench-report-long-'));
const long = await measure(syntheticRun({ problems: 1000, interventions: ['baseline', 'noThinking', 'budget(512)', 'budget(1024)', 'extend(Wait x1)'], traceWords: 600 }), longDir);

const s = (ms: number): string => (ms / 1000).toFixed(2);
console.log(`simulator run        ${data.traces.length} traces in ${(runMs / 1000).toFixed(1)} s`);
console.log(`                     build ${s(real.buildMs)} s from the stored records, file ${real.sizeMb.toFixed(1)} MB (${real.rawMb.toFixed(1)} MB of data), first render ${s(real.firstRenderMs)} s`);
console.log(`QwQ-length traces    5000 traces, build ${s(long.buildMs)} s, file ${long.sizeMb.toFixed(1)} MB (${long.rawMb.toFixed(1)} MB of data), first render ${s(long.firstRenderMs)} s`);
console.log('targets              build <= 5 s, file <= 20 MB, first render <= 2 s (first render: median of 3)');
console.log(
  JSON.stringify({
    traces: data.traces.length,
    build_s: Number((real.buildMs / 1000).toFixed(3)),
    file_mb: Number(real.sizeMb.toFixed(2)),
    first_render_s: Number((real.firstRenderMs / 1000).toFixed(3)),
    long_build_s: Number((long.buildMs / 1000).toFixed(3)),
    long_file_mb: Number(long.sizeMb.toFixed(2)),
    long_first_render_s: Number((long.firstRenderMs / 1000).toFixed(3)),
    run_s: Number((runMs / 1000).toFixed(1)),
  }),
);
