import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SignInLinksService } from '../../src/modules/dashboard/sign-in-links.service.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import type { TestApp } from '../helpers/test-env.js';

export const SCREENSHOTS = join('test-results', 'screenshots');

/**
 * The browser tests serve the real build (dist/web). `npm run build` (which `.ci/run` runs before
 * the tests) makes it; when it is missing or older than web/, it is rebuilt here first (the same
 * check `npm start` makes), so a test never runs against a stale dashboard.
 */
export function ensureDashboardBuilt(): void {
  execFileSync(process.execPath, ['scripts/ensure-build.mjs', '--web'], { stdio: 'inherit' });
  if (!existsSync(join('dist', 'web', 'index.html'))) throw new Error('dist/web was not built');
}

/** What a page did that the dashboard must never do: console errors, other origins. */
export interface PageWatch {
  page: Page;
  consoleErrors: string[];
  crossOrigin: string[];
}

export async function watchedPage(context: BrowserContext, origin: string): Promise<PageWatch> {
  const page = await context.newPage();
  const watch: PageWatch = { page, consoleErrors: [], crossOrigin: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') watch.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => watch.consoleErrors.push(`pageerror: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:')) return;
    if (new URL(url).origin !== origin) watch.crossOrigin.push(url);
  });
  return watch;
}

/** A one-time link for the user (created when missing), as `npm run cli -- dashboard:link` makes. */
export async function signInLink(t: TestApp, email: string): Promise<string> {
  const user = await t.get<UsersService>(UsersService).findOrCreateByEmail(email);
  const { token } = await t.get<SignInLinksService>(SignInLinksService).create(user.id);
  return `${t.url}/dashboard/sign-in#token=${token}`;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
}
