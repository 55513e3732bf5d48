import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reflectionShift } from '../../src/checks/reflectionShift.ts';
import { buildHtmlReport } from '../../src/reports/html/build.ts';
import type { RunData } from '../../src/reports/run-data.ts';
import type { ResultRow } from '../../src/results/types.ts';
import { syntheticRun } from '../fixtures/synthetic-run.ts';
import { browserAvailable, launchChromium } from './chromium.ts';

/** A run with reflection words placed between probes, scattered so the statistic is not trivial. */
function withReflections(samples: number): RunData {
  const data = syntheticRun({ problems: 40, samples, interventions: ['baseline', 'probes(every 32)'] });
  data.results.forEach((r, i) => {
    r.reflections = r.confidence.flatMap((p, k) => ((i + k) % 3 === 0 ? [{ position: p.position, word: k % 2 ? 'Wait' : 'Hmm' }] : []));
  });
  return data;
}

/** The check's evidence computed by the check itself, from the rows the runner would give it. */
function withCheck(data: RunData): Record<string, unknown> {
  const rows: ResultRow[] = data.results.map((r) => ({
    problemId: r.problemId,
    intervention: r.intervention,
    sample: r.sample,
    correct: r.correct,
    thinkingTokens: r.thinkingTokens,
    answerTokens: r.answerTokens,
    capFired: r.capFired ?? false,
    confidence: r.confidence.filter((p) => p.bounded !== true),
    reflections: r.reflections ?? [],
  }));
  const check = reflectionShift({ type: 'reflectionShift', intervention: 'probes(every 32)', word: 'Wait', minRatio: 1.2 }, { rows, interventions: [], seed: 0 }, 'reflectionShift(probes(every 32), Wait)');
  data.checks.push({ name: check.name, verdict: check.verdict, summary: check.summary, evidence: check.evidence });
  return check.evidence as Record<string, unknown>;
}

describe.skipIf(!browserAvailable)('the numbers a report states about its statistics', () => {
  let browser: Browser;
  let page: Page;
  const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-report-stats-'));

  async function open(data: RunData, name: string): Promise<void> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, await buildHtmlReport(data));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  }

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('a samples: 4 run says on every interval that it is clustered by problem', async () => {
    await open(withReflections(4), 'samples4');
    const note = '95% CI clustered by problem (4 samples per problem)';
    expect(await page.locator('.interval-note').innerText()).toContain(note);
    const titles = await page.locator('table.interventions td.interval').evaluateAll((cells) => cells.map((c) => c.getAttribute('title')));
    expect(titles).toEqual([note, note]);
    await page.click('nav button[data-tab="cost"]');
    expect(await page.locator('#cost .interval-note').innerText()).toContain(note);
    await page.click('nav button[data-tab="confidence"]');
    await page.locator('.chart-lhat').waitFor();
    expect(await page.locator('#confidence > p.hint').first().innerText()).toContain(note);
    const reflection = await page.locator('table.reflection-stats td.interval').evaluateAll((cells) => cells.map((c) => c.getAttribute('title') ?? ''));
    expect(reflection.length).toBeGreaterThan(0);
    for (const title of reflection) expect(title).toContain('clustered by problem');
  });

  it('a samples: 1 run claims no clustering', async () => {
    await open(withReflections(1), 'samples1');
    expect(await page.locator('.interval-note').count()).toBe(0);
    expect(await page.locator('table.interventions td.interval').first().getAttribute('title')).toBe('95% Wilson interval');
  });

  it('the reflection chart shows the reflectionShift check’s own figures, each bar with an interval', async () => {
    const data = withReflections(2);
    const evidence = withCheck(data);
    expect(typeof evidence['ratio']).toBe('number');
    await open(data, 'reflection');
    await page.click('nav button[data-tab="confidence"]');
    await page.locator('.chart-reflection').waitFor();
    // One statistic (the check's intervention and word), two bars, an interval on each.
    const row = page.locator('table.reflection-stats tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute('data-word')).toBe('Wait');
    expect(Number(await row.getAttribute('data-ratio'))).toBe(evidence['ratio']);
    expect(Number(await row.getAttribute('data-at-reflection'))).toBe(evidence['atWord']);
    expect(Number(await row.getAttribute('data-all-positions'))).toBe(evidence['overall']);
    // As printed: the check's summary and the table agree to the digits both show.
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[4]?.startsWith((evidence['ratio'] as number).toFixed(2))).toBe(true);
    expect(cells[5]).toBe(`${String(evidence['intervalsAtWord'])} of ${String(evidence['intervals'])}`);
    expect(await page.locator('.chart-reflection g[aria-label="bar"] rect').count()).toBe(2);
    expect(await page.locator('.chart-reflection g[aria-label="rule"] g[stroke="#cf222e"] line').count()).toBe(2);
    // The interval contains the estimate.
    const [low, high] = (cells[4] ?? '').replace(/^.*\(/, '').replace(/\)$/, '').split('–').map(Number);
    expect(low).toBeLessThanOrEqual(evidence['ratio'] as number);
    expect(high).toBeGreaterThanOrEqual(evidence['ratio'] as number);
  });
});
