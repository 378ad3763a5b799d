import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Real headless Chromium for the browser tests (checkout, dashboard), driven by playwright-core.
 * The browser is Debian's `chromium` package, which `.ci/run` installs when it is missing;
 * CHROMIUM_PATH points elsewhere. A missing browser fails the test loudly: never a skip.
 */
export const CHROMIUM_PATH =
  process.env.CHROMIUM_PATH ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) =>
    existsSync(p),
  ) ??
  '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
    ],
  });
}
