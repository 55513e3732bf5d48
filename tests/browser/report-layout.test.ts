import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHtmlReport } from '../../src/reports/html/build.ts';
import type { RunData } from '../../src/reports/run-data.ts';
import { syntheticRun } from '../fixtures/synthetic-run.ts';
import { browserAvailable, launchChromium } from './chromium.ts';
import { compareRuns } from '../../src/reports/compare.ts';
import { captureViews, layoutDefects } from './layout.ts';

const artifacts = join(process.cwd(), 'test-artifacts', 'report-layout');

/** Reports whose shapes once broke the layout: one budget, coincident points, long labels. */
function shapes(): Record<string, RunData> {
  const single = syntheticRun({ problems: 12, interventions: ['baseline', 'noThinking', 'budget(256)', 'extend(Wait x1)'] });
  const coincident = syntheticRun({ problems: 12, interventions: ['baseline', 'probes(every 32)', 'probes(at reflection words)'] });
  for (const i of coincident.interventions) {
    i.meanThinkingTokens = 3026.666667;
    i.meanAnswerTokens = 12;
    i.accuracy = { estimate: 0.5, low: 0.3, high: 0.7 };
  }
  const long = syntheticRun({
    problems: 12,
    interventions: ['baseline', 'stopPhrase(Therefore, after all this, I believe the answer is)', 'suppressReflection(wait, alternatively, hmm, hold on)', 'budget(128)', 'budget(4096)'],
  });
  const last = long.interventions[long.interventions.length - 1];
  if (last) last.meanThinkingTokens = 9000;
  const a = syntheticRun({ problems: 30, interventions: ['baseline', 'noThinking', 'budget(512)'] });
  const b = structuredClone(a);
  b.run.id = 'synthetic-0002';
  for (const r of b.results) if (r.intervention === 'noThinking' && Number(r.problemId.slice(1)) % 3 === 0) r.correct = false;
  const { data: compare } = compareRuns(a, b);
  return { single, coincident, long, compare };
}

describe.skipIf(!browserAvailable)('report layout under awkward shapes', () => {
  let browser: Browser;
  let page: Page;
  const files = new Map<string, string>();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-layout-'));
    for (const [name, data] of Object.entries(shapes())) {
      const file = join(dir, `${name}.html`);
      writeFileSync(file, await buildHtmlReport(data));
      files.set(name, file);
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(name: string): Promise<void> {
    await page.goto(pathToFileURL(files.get(name) ?? '').href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  }

  it.each(['single', 'coincident', 'long'])('%s: every view without clipped or overlapping text', async (name) => {
    await open(name);
    const out = join(artifacts, name);
    mkdirSync(out, { recursive: true });
    expect(await captureViews(page, out)).toEqual({ overview: [], cost: [], confidence: [], problems: [], trace: [] });
  });

  it('compare: a side-by-side view with paired differences, the flips, and A/B points told apart', async () => {
    await open('compare');
    // A comparison opens on its own view.
    await page.locator('section#compare').waitFor();
    const rows = page.locator('table.comparison tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await page.locator('table.comparison tbody tr[data-intervention="noThinking"]').getAttribute('class')).toBe('diff-worse');
    expect(await page.locator('.chart-compare g[aria-label="dot"] circle').count()).toBe(3);
    const lost = await page.locator('table.flips tbody tr.flip-lost').count();
    expect(lost).toBeGreaterThan(0);
    expect(await page.locator('table.flips tbody tr').count()).toBe(lost + (await page.locator('table.flips tbody tr.flip-gained').count()));
    const out = join(artifacts, 'compare');
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: join(out, 'compare.png'), fullPage: true });
    expect(await layoutDefects(page)).toEqual([]);
    await page.click('nav button[data-tab="cost"]');
    // A as circles, B as triangles (Plot draws symbols as paths), in one colour per intervention.
    const symbols = await page.locator('.chart-cost g[aria-label="dot"] path').evaluateAll((paths) => paths.map((p) => p.getAttribute('d')));
    expect(new Set(symbols).size).toBe(2);
    expect(await captureViews(page, out)).toEqual({ overview: [], cost: [], confidence: [], problems: [], trace: [] });
  });

  it('a single budget draws no near-empty budget curve and says why', async () => {
    await open('single');
    await page.click('nav button[data-tab="cost"]');
    expect(await page.locator('.chart-budget-accuracy').count()).toBe(0);
    expect(await page.locator('.budget-note').innerText()).toContain('two or more');
  });

  it('coincident points get readable ticks, not 3,026.666667', async () => {
    await open('coincident');
    await page.click('nav button[data-tab="cost"]');
    const ticks = await page.locator('.chart-cost g[aria-label="x-axis tick label"] text').allTextContents();
    expect(ticks.length).toBeGreaterThan(1);
    for (const tick of ticks) expect(tick).toMatch(/^[\d,]+$/);
  });

  it('the trace viewer opens on the intervention with the most confidence points', async () => {
    const data = syntheticRun({ problems: 3, interventions: ['baseline', 'probes(every 32)'] });
    for (const r of data.results) if (r.intervention === 'baseline') r.confidence = [];
    const file = join(mkdtempSync(join(tmpdir(), 'thinkprobe-layout-')), 'probes.html');
    writeFileSync(file, await buildHtmlReport(data));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    await page.click('nav button[data-tab="trace"]');
    expect(await page.locator('.intervention-select').inputValue()).toBe('probes(every 32)');
  });

  it('explains every column of the interventions table where it is shown', async () => {
    await open('single');
    const titles = await page.locator('table.interventions th').evaluateAll((ths) => ths.map((th) => th.getAttribute('title') ?? ''));
    expect(titles.length).toBeGreaterThan(5);
    for (const title of titles) expect(title.length).toBeGreaterThan(10);
    expect(await page.locator('.cost-note').innerText()).toMatch(/cost alone.*cost in tree/s);
  });
});
