/**
 * bench:report — builds the HTML report of a 5,000-trace run and measures build time, file size and
 * time to first render in Chromium. Targets: build <= 5 s, file <= 20 MB, first render <= 2 s.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildHtmlReport } from '../src/reports/html/build.ts';
import { syntheticRun } from '../tests/fixtures/synthetic-run.ts';
import { launchChromium } from '../tests/browser/chromium.ts';

const problems = 1000;
const interventions = ['baseline', 'noThinking', 'budget(512)', 'budget(1024)', 'extend(Wait x1)'];
// ~600 words of thinking per trace: about the length of a QwQ trace on a GSM8K problem.
const data = syntheticRun({ problems, interventions, traceWords: 600 });
const traces = data.traces.length;

const started = performance.now();
const html = await buildHtmlReport(data);
const buildMs = performance.now() - started;
const file = join(mkdtempSync(join(tmpdir(), 'thinkprobe-bench-report-')), 'index.html');
writeFileSync(file, html);
const sizeMb = Buffer.byteLength(html) / 1e6;
const rawMb = Buffer.byteLength(JSON.stringify(data)) / 1e6;

const browser = await launchChromium();
const renders: number[] = [];
for (let i = 0; i < 3; i++) {
  const page = await browser.newPage();
  const t0 = performance.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  renders.push(performance.now() - t0);
  await page.close();
}
await browser.close();
const firstRenderMs = renders.sort((a, b) => a - b)[1] ?? Number.NaN;

console.log(`traces              ${traces}`);
console.log(`run data (raw JSON) ${rawMb.toFixed(1)} MB`);
console.log(`build               ${(buildMs / 1000).toFixed(2)} s   (target <= 5 s)`);
console.log(`file                ${sizeMb.toFixed(1)} MB   (target <= 20 MB)`);
console.log(`first render        ${(firstRenderMs / 1000).toFixed(2)} s   (median of 3, target <= 2 s)`);
console.log(
  JSON.stringify({
    traces,
    build_s: Number((buildMs / 1000).toFixed(3)),
    file_mb: Number(sizeMb.toFixed(2)),
    first_render_s: Number((firstRenderMs / 1000).toFixed(3)),
  }),
);
