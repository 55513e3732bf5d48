import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RunData } from '../run-data.ts';
import { clientBundle } from './bundle.ts';
import { encodePayload } from './payload.ts';

const styles = readFileSync(new URL('./client/styles.css', import.meta.url), 'utf8');

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

/** Only what we write ourselves goes into markup; run data travels as base64, which has no markup characters. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * One self-contained HTML file: no network request (CSP `default-src 'none'`), the only script is
 * the bundled client, allowed by its hash, and model output can never become markup: it travels
 * gzip+base64-encoded in non-executable blocks and reaches the page only through textContent.
 * Confidence points and trace texts sit in blocks of their own (traces in base64 chunks, one per line),
 * decoded only when a view needs them: the first view decodes a small part of a large run.
 */
export async function buildHtmlReport(data: RunData): Promise<string> {
  const script = await clientBundle();
  const payload = await encodePayload(data);
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${sha256(script)}'`,
    // Plot writes style attributes and its own <style> elements; styles cannot run code.
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = escapeHtml(`thinkprobe — ${data.run.suite} — ${data.run.model}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${styles}</style>
</head>
<body>
<div id="app">Loading report…</div>
<script type="application/octet-stream" id="tp-data">${payload.core}</script>
<script type="application/octet-stream" id="tp-confidence">${payload.confidence}</script>
<script type="application/octet-stream" id="tp-traces">
${payload.traces.join('\n')}
</script>
<script>${script}</script>
</body>
</html>
`;
}
