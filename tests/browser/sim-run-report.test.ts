import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSuite, type RunSuiteOutcome } from '../../src/runner/run-suite.ts';
import { browserAvailable, launchChromium } from './chromium.ts';

const artifacts = join(process.cwd(), 'test-artifacts', 'sim-run-report');

describe.skipIf(!browserAvailable)('the HTML report of a simulator run', () => {
  let browser: Browser;
  let page: Page;
  let outcome: RunSuiteOutcome;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const work = mkdtempSync(join(tmpdir(), 'thinkprobe-sim-report-'));
    const suiteFile = join(work, 'report.suite.json');
    writeFileSync(
      suiteFile,
      JSON.stringify({
        name: 'report-e2e',
        problems: [{ family: 'word-problem', count: 6, difficulty: 3, seed: 21 }],
        interventions: [{ type: 'baseline' }, { type: 'noThinking' }, { type: 'budget', tokens: 96 }, { type: 'budget', tokens: 192 }, { type: 'extend' }, { type: 'probes', every: 48 }],
        checks: [{ type: 'accuracyAtLeast', intervention: 'baseline', min: 0.3 }],
      }),
    );
    outcome = await runSuite({ suiteFile, out: join(work, 'reports'), log: () => undefined });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    await page.goto(pathToFileURL(join(outcome.runDir, 'index.html')).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads with no console errors and shows the run', async () => {
    expect(outcome.status).toBe('completed');
    expect(problems).toEqual([]);
    expect(await page.locator('table.interventions tbody tr').count()).toBe(6);
    await page.screenshot({ path: join(artifacts, 'overview.png') });
  });

  it('draws the cost chart, budget curves and the L-hat curve of the probed baseline', async () => {
    await page.click('nav button[data-tab="cost"]');
    expect(await page.locator('.chart-cost g[aria-label="dot"] circle').count()).toBe(6);
    expect(await page.locator('.chart-budget-accuracy g[aria-label="line"] path').count()).toBe(1);
    await page.click('nav button[data-tab="confidence"]');
    await page.locator('.chart-lhat').waitFor();
    // One probed intervention, drawn once in each outcome panel that has traces (correct, wrong).
    const panels = await page.locator('.chart-lhat g[aria-label="fx-axis tick label"] text').allTextContents();
    expect(panels.map((p) => p.replace(/ \(n = \d+\)$/, ''))).toEqual(['correct traces', 'wrong traces']);
    const withTraces = panels.filter((p) => !p.endsWith('(n = 0)')).length;
    expect(await page.locator('.chart-lhat g[aria-label="line"] path').count()).toBe(withTraces);
    await page.screenshot({ path: join(artifacts, 'confidence.png') });
    expect(problems).toEqual([]);
  });

  it('shows the injected "Wait" of extend where the model had closed its thinking', async () => {
    await page.click('nav button[data-tab="trace"]');
    await page.selectOption('.intervention-select', 'extend(x1)');
    await page.locator('.trace-text').waitFor();
    const injected = page.locator('.trace-text mark.injected');
    expect(await injected.count()).toBeGreaterThanOrEqual(1);
    expect((await injected.first().innerText()).trim()).toBe('Wait');
    await page.selectOption('.intervention-select', 'probes(every=48)');
    await page.locator('.trace-text').waitFor();
    expect(await page.locator('.trace-text .probe').count()).toBeGreaterThan(1);
    await page.screenshot({ path: join(artifacts, 'trace.png'), fullPage: true });
  });
});
