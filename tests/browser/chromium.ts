import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.THINKPROBE_CHROMIUM ?? '/usr/bin/chromium';

/** Browser tests need Debian's Chromium (.ci/run installs it); elsewhere they skip, in CI they must run. */
export const browserAvailable = existsSync(chromiumPath) || process.env.CI === 'true';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
