import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The installed package ships the bundle prebuilt (scripts/build.mjs); sources bundle on first use. */
const PREBUILT = new URL('./client.js', import.meta.url);

let cached: Promise<string> | undefined;

/**
 * The report's client code and Observable Plot, bundled into one script so the HTML file is
 * self-contained. Built once per process (a few hundred ms).
 *
 * Why Observable Plot: it is maintained by Observable (the d3 authors), draws SVG (so every mark
 * is a DOM element that browser tests can count, and text goes in through textContent), needs no
 * `eval` or `new Function` (Vega's expression language does, which a strict CSP forbids), and its
 * grammar (dots, rules, areas, facets) covers every chart here in a few lines. Canvas libraries
 * (uPlot, Chart.js) are faster for millions of points but leave nothing to test in the DOM; the
 * report draws at most a few thousand marks per view.
 */
export function clientBundle(): Promise<string> {
  if (existsSync(PREBUILT)) return (cached ??= readFile(PREBUILT, 'utf8'));
  cached ??= build({
    entryPoints: [fileURLToPath(new URL('./client/main.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).then((result) => {
    const file = result.outputFiles[0];
    if (!file) throw new Error('report client bundle produced no output');
    // Inline scripts end at the first `</script`; escaping the slash is a no-op for JavaScript.
    return file.text.replace(/<\/(script)/gi, '<\\/$1');
  });
  return cached;
}
