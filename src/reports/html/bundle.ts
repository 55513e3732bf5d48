import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

let cached: Promise<string> | undefined;

/**
 * The report's client code and Observable Plot, bundled into one script so the HTML file is
 * self-contained. Built once per process (a few hundred ms).
 */
export function clientBundle(): Promise<string> {
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
