import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHtmlReport } from '../../src/reports/html/build.ts';
import { hostileOutputs } from '../fixtures/hostile.ts';
import { syntheticRun } from '../fixtures/synthetic-run.ts';
import { browserAvailable, launchChromium } from './chromium.ts';
import { captureViews } from './layout.ts';

const artifacts = join(process.cwd(), 'test-artifacts', 'report');

describe.skipIf(!browserAvailable)('HTML report in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const requests: string[] = [];
  const extendThinking: string[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-report-'));
    const file = join(dir, 'index.html');
    const data = syntheticRun({ problems: 60, hostile: true, samples: 2 });
    // Reflection words between probes, in the first two interventions only: the chart draws those two.
    for (const r of data.results) {
      if (r.intervention !== 'baseline' && r.intervention !== 'noThinking') continue;
      const [first, second, third] = r.confidence;
      if (first && second && third) r.reflections = [{ position: first.position, word: 'Wait' }, { position: third.position - 1, word: 'Hmm' }];
    }
    // p0004's extend traces continue their baseline's thinking (a trunk and its branch): the
    // report stores the shared text once and the viewer must show the branch whole.
    for (const sample of [0, 1]) {
      const traceOf = (intervention: string) => data.traces[data.results.find((r) => r.problemId === 'p0004' && r.sample === sample && r.intervention === intervention)?.trace ?? -1];
      const [trunk, branch] = [traceOf('baseline'), traceOf('extend(Wait x1)')];
      if (!trunk || !branch) throw new Error('fixture: p0004 lacks a baseline or extend trace');
      trunk.segments = [...branch.segments.slice(0, 2), { kind: 'generated', text: '\n</think>\n\nThe answer is \\boxed{9}.' }];
      trunk.probes = branch.probes;
      extendThinking.push(branch.segments[1]?.text ?? '');
    }
    writeFileSync(file, await buildHtmlReport(data));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads from file:// with no console errors and no network request', async () => {
    await page.screenshot({ path: join(artifacts, 'overview.png') });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('li.check').count()).toBe(2);
    expect(await page.locator('li.check[data-verdict="fail"]').count()).toBe(1);
  });

  it('draws one point per intervention and the budget curves', async () => {
    await page.click('nav button[data-tab="cost"]');
    const cost = page.locator('.chart-cost');
    await cost.waitFor();
    // Plot draws each dot as an svg circle inside the dot mark's group.
    expect(await cost.locator('g[aria-label="dot"] circle').count()).toBe(5);
    expect(await page.locator('.chart-budget-accuracy g[aria-label="line"] path').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'cost.png') });
  });

  it('draws confidence bands for correct and wrong traces apart, with n, and the reflection-word chart', async () => {
    await page.click('nav button[data-tab="confidence"]');
    await page.locator('.chart-lhat').waitFor();
    // Five interventions, each with correct and wrong traces: one mean line and one band per panel.
    expect(await page.locator('.chart-lhat g[aria-label="line"] path').count()).toBe(10);
    expect(await page.locator('.chart-lhat g[aria-label="area"] path').count()).toBe(10);
    const panels = await page.locator('.chart-lhat g[aria-label="fx-axis tick label"] text').allTextContents();
    expect(panels).toHaveLength(2);
    expect(panels[0]).toMatch(/^correct traces \(n = \d+\)$/);
    expect(panels[1]).toMatch(/^wrong traces \(n = \d+\)$/);
    expect(await page.locator('.chart-reflection g[aria-label="bar"] rect').count()).toBe(4);
    expect(await page.locator('.chart-reflection').textContent()).toContain('n = ');
    // Every bar has its interval (a rule from low to high), clustered by problem: this run has 2 samples per problem.
    expect(await page.locator('.chart-reflection g[aria-label="rule"] g[stroke="#cf222e"] line').count()).toBe(4);
    expect(await page.locator('table.reflection-stats tbody tr').count()).toBe(2);
    expect(await page.locator('table.reflection-stats td.interval').first().getAttribute('title')).toContain('clustered by problem');
    expect(await page.locator('.chart-multiple').count()).toBe(24);
    // Natural order: p0000, p0001, ... and each panel has a labelled y axis.
    const captions = await page.locator('.multiples figcaption').allInnerTexts();
    expect(captions.slice(0, 3)).toEqual(['p0000', 'p0001', 'p0002']);
    expect(await page.locator('.chart-multiple').first().textContent()).toContain('L-hat');
    await page.screenshot({ path: join(artifacts, 'confidence.png') });
  });

  it('colours each intervention the same in every chart', async () => {
    await page.click('nav button[data-tab="confidence"]');
    const legend = page.locator('.legend-multiples').first();
    await legend.waitFor();
    const swatches: Array<[string, string]> = await legend.evaluate((node) =>
      [...node.querySelectorAll('span')].map((s): [string, string] => [s.textContent?.trim() ?? '', (s.querySelector('svg') as unknown as { getAttribute(n: string): string | null } | null)?.getAttribute('fill') ?? '']),
    );
    const colours = new Map(swatches.filter(([label, fill]) => label !== '' && fill !== ''));
    expect(colours.size).toBe(5);
    await page.click('nav button[data-tab="cost"]');
    const dotFills = await page.locator('.chart-cost g[aria-label="dot"] circle').evaluateAll((circles) => circles.map((c) => c.getAttribute('fill')));
    for (const fill of dotFills) expect([...colours.values()]).toContain(fill);
  });

  it('has no clipped or overlapping text in any view', async () => {
    const defects = await captureViews(page, artifacts);
    expect(defects).toEqual({ overview: [], cost: [], confidence: [], problems: [], trace: [] });
  });

  it('filters and sorts the problems table', async () => {
    await page.click('nav button[data-tab="problems"]');
    const rows = page.locator('table.problems tbody tr');
    expect(await rows.count()).toBe(60);
    await page.fill('input.filter', 'p001');
    expect(await rows.count()).toBe(10);
    await page.fill('input.filter', '');
    await page.click('th[data-key="id"]');
    expect(await rows.first().getAttribute('data-problem')).toBe('p0059');
    await page.click('#flips-only');
    const flipped = await rows.count();
    expect(flipped).toBeGreaterThan(0);
    expect(flipped).toBeLessThan(60);
    expect(await page.locator('table.problems tbody tr .flip').count()).toBeGreaterThanOrEqual(flipped);
    await page.click('#flips-only');
    await page.screenshot({ path: join(artifacts, 'problems.png') });
  });

  it('opens a trace from the table with injected text, reflection words and probes marked', async () => {
    await page.click('nav button[data-tab="problems"]');
    await page.fill('input.filter', 'p0004');
    await page.locator('table.problems tbody tr td.link').last().click();
    await page.locator('#trace .trace-text').waitFor();
    expect(await page.locator('.problem-select').inputValue()).toBe('p0004');
    expect(await page.locator('.intervention-select').inputValue()).toBe('extend(Wait x1)');
    expect(await page.locator('.trace-text mark.injected').count()).toBe(1);
    // The branch's thinking is whole, though stored as a reference to its trunk's.
    const shown = await page.locator('.trace-text').evaluate((node) => {
      const copy = node.cloneNode(true) as typeof node;
      for (const probe of copy.querySelectorAll('.probe')) probe.remove();
      return copy.textContent ?? '';
    });
    expect(extendThinking.some((thinking) => thinking.length > 1000 && shown.includes(`${thinking}Wait`))).toBe(true);
    expect(await page.locator('.trace-text .reflection').count()).toBeGreaterThan(0);
    expect(await page.locator('.trace-text .probe').count()).toBe(8);
    // Markers sit between words, never inside one.
    const around = await page.locator('.trace-text .probe').evaluateAll((marks) =>
      marks.map((m) => [m.previousSibling?.textContent?.slice(-1) ?? '', m.nextSibling?.textContent?.slice(0, 1) ?? '']),
    );
    for (const [before, after] of around) expect(/[\p{L}\p{N}]/u.test(before ?? '') && /[\p{L}\p{N}]/u.test(after ?? '')).toBe(false);
    expect(await page.locator('.trace-legend').innerText()).toContain('confidence probe');
    expect(await page.locator('.chart-trace-lhat').textContent()).toContain('L-hat');
    expect(await page.locator('.chart-trace-pcorrect').textContent()).toContain('p(correct');
    await page.screenshot({ path: join(artifacts, 'trace.png'), fullPage: true });
  });

  it('shows hostile model output as text and executes none of it', async () => {
    await page.click('nav button[data-tab="trace"]');
    for (let i = 0; i < hostileOutputs.length; i++) {
      await page.selectOption('.problem-select', `p${String(i).padStart(4, '0')}`);
      await page.locator('#trace .trace-text').waitFor();
      // The question is shown as the text it is, and nothing placeholder-like leaks into the view.
      expect(await page.locator('#trace .question').innerText()).toBe(`Question with ${hostileOutputs[i]}`.trim());
      expect(await page.locator('#trace .trace-view').innerText()).not.toMatch(/^null$/m);
    }
    await page.click('nav button[data-tab="overview"]');
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    // Only our own script blocks exist (the client and its three data blocks); no element a payload describes was created.
    expect(await page.locator('script').count()).toBe(4);
    expect(await page.locator('script:not([type="application/octet-stream"])').count()).toBe(1);
    for (const selector of ['img', 'iframe', 'a[href^="javascript:"]', 'svg[onload]', 'body[onload]', 'base', 'meta[http-equiv="refresh"]', 'b[onmouseover]']) {
      expect(await page.locator(selector).count(), selector).toBe(0);
    }
    const text = await page.locator('#app').innerText();
    expect(text).toContain('hostile<script>window.__pwned="suite"</script>');
    expect(problems).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'hostile.png') });
  });
});
