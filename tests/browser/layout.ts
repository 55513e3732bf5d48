import type { Page } from 'playwright-core';

/**
 * What a reader checks by eye, made checkable: in every chart on the page, no text leaves its chart
 * and no two texts overlap. Returns one line per defect (empty when the layout is clean).
 */
export async function layoutDefects(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // The node-side type check has no DOM library: the few browser shapes used here, spelled out.
    interface Rect { left: number; right: number; top: number; bottom: number; width: number; height: number }
    interface Node {
      textContent: string | null;
      classList: { contains(name: string): boolean };
      getBoundingClientRect(): Rect;
      closest(selector: string): Node | null;
      getAttribute(name: string): string | null;
      querySelectorAll(selector: string): ArrayLike<Node> & Iterable<Node>;
    }
    const document = (globalThis as unknown as { document: Node }).document;
    const defects: string[] = [];
    const slack = 1.5;
    const charts = [...document.querySelectorAll('svg')].filter((svg) => svg.closest('.chart') !== null || svg.classList.contains('chart'));
    for (const [index, svg] of charts.entries()) {
      const box = svg.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const name = `${(svg.closest('.chart') ?? svg).getAttribute('class') ?? 'chart'} #${index}`;
      const texts = [...svg.querySelectorAll('text')]
        .map((t) => ({ text: (t.textContent ?? '').trim(), r: t.getBoundingClientRect() }))
        .filter((t) => t.text !== '' && t.r.width > 0 && t.r.height > 0);
      for (const t of texts) {
        if (t.r.left < box.left - slack || t.r.right > box.right + slack || t.r.top < box.top - slack || t.r.bottom > box.bottom + slack) {
          defects.push(`${name}: "${t.text}" is clipped by its chart`);
        }
      }
      for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length; j++) {
          const a = texts[i]!.r;
          const b = texts[j]!.r;
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > slack && h > slack) defects.push(`${name}: "${texts[i]!.text}" overlaps "${texts[j]!.text}"`);
        }
      }
    }
    return defects;
  });
}

/** Every view of the report, each opened and captured as a full page. */
export const VIEWS = ['overview', 'cost', 'confidence', 'problems', 'trace'] as const;

export async function captureViews(page: Page, dir: string): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const view of VIEWS) {
    await page.click(`nav button[data-tab="${view}"]`);
    await page.locator(`main section#${view}`).waitFor();
    // The trace viewer decodes its text after the view is placed: capture the text, not the placeholder.
    await page.waitForFunction('!document.querySelector(".trace-slot")');
    await page.screenshot({ path: `${dir}/${view}.png`, fullPage: true });
    found[view] = await layoutDefects(page);
  }
  return found;
}
