import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/reports/compare.ts';
import { buildHtmlReport } from '../../src/reports/html/build.ts';
import { loadRun } from '../../src/runner/load-run.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { browserAvailable, launchChromium } from './chromium.ts';
import { captureViews, layoutDefects } from './layout.ts';

/**
 * The bundled suites' reports as a user opens them: quickstart, confidence, budgets, a failed release
 * gate and a compare, each run for real on the simulator (sim-fast, a few problems each via the
 * filter). Every view is captured full-page into test-artifacts/bundled-reports/<report>/ and
 * audited: no text clipped by or overlapping within its chart.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = join(root, 'test-artifacts', 'bundled-reports');
const regressedCard = join(root, 'tests/fixtures/cards/sim-fast-regressed.json');

/** The release gate, as bundled, gating sim-fast against a golden written here (not the committed one). */
function gateSuite(work: string): string {
  const text = readFileSync(join(root, 'suites/release-gate.yaml'), 'utf8')
    .replace(/^model: sim:sim-qwq$/m, 'model: sim:sim-fast')
    .replace(/^golden:\n {2}model: sim:sim-qwq$/m, `golden:\n  model: sim:sim-fast\n  dir: ${JSON.stringify(join(work, 'golden'))}`);
  if (!text.includes('model: sim:sim-fast\n  dir:')) throw new Error('suites/release-gate.yaml changed shape: update this test');
  const file = join(work, 'release-gate.yaml');
  writeFileSync(file, text);
  return file;
}

async function buildReports(work: string): Promise<Record<string, string>> {
  const out = join(work, 'reports');
  const run = async (suiteFile: string, filter: string, extra: { model?: string; updateGolden?: boolean } = {}) =>
    (await runSuite({ suiteFile, model: extra.model ?? 'sim:sim-fast', filter, out, html: true, log: () => undefined, ...(extra.updateGolden ? { updateGolden: true } : {}) })).runDir;
  const html = (dir: string) => join(dir, 'index.html');
  const gate = gateSuite(work);
  const gateFilter = '/\\/(1[1-9]|2[0-2])\\//';
  const golden = await run(gate, gateFilter, { updateGolden: true });
  const failed = await run(gate, gateFilter, { model: `sim:${regressedCard}` });
  const compared = compareRuns(loadRun(golden).data, loadRun(failed).data, { names: { a: golden, b: failed } }).data;
  const compareFile = join(work, 'compare.html');
  writeFileSync(compareFile, await buildHtmlReport(compared));
  return {
    quickstart: html(await run(join(root, 'suites/quickstart.suite.ts'), '/chain\\/[1-4]\\//')),
    confidence: html(await run(join(root, 'suites/confidence.yaml'), '/\\/5[1-3]\\//')),
    budgets: html(await run(join(root, 'suites/budgets.suite.ts'), '/\\/4[1-5]\\//')),
    'release-gate-failed': html(failed),
    compare: compareFile,
  };
}

describe.skipIf(!browserAvailable)('the bundled suites’ reports', () => {
  let browser: Browser;
  let page: Page;
  let files: Record<string, string> = {};

  beforeAll(async () => {
    files = await buildReports(mkdtempSync(join(tmpdir(), 'thinkprobe-bundled-reports-')));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  it.each(['quickstart', 'confidence', 'budgets', 'release-gate-failed', 'compare'])('%s: every view captured, no clipped or overlapping text', async (name) => {
    await page.goto(pathToFileURL(files[name] ?? '').href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    const out = join(artifacts, name);
    mkdirSync(out, { recursive: true });
    const found = await captureViews(page, out);
    if (name === 'compare') {
      await page.click('nav button[data-tab="compare"]');
      await page.locator('main section#compare').waitFor();
      await page.screenshot({ path: join(out, 'compare.png'), fullPage: true });
      found['compare'] = await layoutDefects(page);
    }
    const clean = Object.fromEntries(Object.keys(found).map((view) => [view, []]));
    expect(found).toEqual(clean);
  });

  it('confidence: the reflection chart shows the reflectionShift check’s own figure', async () => {
    await page.goto(pathToFileURL(files['confidence'] ?? '').href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    const check = page.locator('li.check', { hasText: 'reflectionShift(' });
    expect(await check.count()).toBe(1);
    const evidence = JSON.parse((await check.locator('pre.json').last().textContent()) ?? '') as { intervention: string; word: string; ratio: number; atWord: number; overall: number };
    // A skipped check (no "Wait" between probes) would leave nothing to compare: this run must measure it.
    expect(typeof evidence.ratio).toBe('number');
    await page.click('nav button[data-tab="confidence"]');
    const row = page.locator('table.reflection-stats tbody tr');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute('data-intervention')).toBe(evidence.intervention);
    expect(await row.getAttribute('data-word')).toBe(evidence.word);
    expect(Number(await row.getAttribute('data-ratio'))).toBe(evidence.ratio);
    expect(Number(await row.getAttribute('data-at-reflection'))).toBe(evidence.atWord);
    expect(Number(await row.getAttribute('data-all-positions'))).toBe(evidence.overall);
    expect(await page.locator('.chart-reflection g[aria-label="rule"] g[stroke="#cf222e"] line').count()).toBe(2);
  });

  it('the failed gate report shows the gate failing and names a flipped problem', async () => {
    await page.goto(pathToFileURL(files['release-gate-failed'] ?? '').href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    const text = await page.locator('main').innerText();
    expect(text).toMatch(/regression against golden/);
    const summary = readFileSync(join(files['release-gate-failed']!, '..', 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| (arithmetic-chain|linear-equation)\/\d+\/\d \| .* \| 0 \| correct \| wrong \|/);
  });
});
