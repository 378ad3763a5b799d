import type { Browser, BrowserContext } from 'playwright-core';
import type { FakeGoogle } from '../fakes/fake-google.js';
import { launchBrowser } from '../helpers/browser.js';
import { appWithFakeGoogle } from '../helpers/auth.js';
import type { TestApp } from '../helpers/test-env.js';
import {
  ensureDashboardBuilt,
  newContext,
  screenshot,
  signInLink,
  watchedPage,
} from './dashboard-browser.helpers.js';

/** Sign-in in real headless Chromium against the real app serving the built dashboard. */
describe('dashboard in a browser: signing in (e2e)', () => {
  let google: FakeGoogle;
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    ensureDashboardBuilt();
    ({ google, t } = await appWithFakeGoogle());
    browser = await launchBrowser();
    // Building the dashboard first, when stale, takes longer than a test.
  }, 300_000);

  beforeEach(async () => {
    context = await newContext(browser, t.url);
  });

  afterEach(async () => {
    await context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await google?.close();
  });

  it('the app serves the built dashboard: CSP, no-cache index.html, immutable hashed assets, deep links', async () => {
    const index = await fetch(`${t.url}/dashboard/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const script = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
    expect(script).toMatch(/^\/dashboard\/assets\/.+\.js$/);
    const asset = await fetch(`${t.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const deep = await fetch(`${t.url}/dashboard/payments/PAY-20260101000000-ABCDEFGH`);
    expect(await deep.text()).toBe(html);
    // The API is untouched: its own 404 in the SPEC shape.
    const api = await fetch(`${t.url}/api/v1/no-such-route`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('signs in with a one-time link, keeps the session over a reload with nothing in storage, and refuses the link a second time', async () => {
    const watch = await watchedPage(context, t.url);
    const { page } = watch;
    const link = await signInLink(t, 'linda@example.com');

    await page.goto(link);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // The token is wiped from the address bar at once.
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => history.length)).toBeGreaterThan(0);
    await page.getByText('linda@example.com').first().waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const storage = await page.evaluate(() => ({
      local: Object.keys(localStorage).length,
      session: Object.keys(sessionStorage).length,
      cookies: document.cookie,
    }));
    expect(storage).toEqual({ local: 0, session: 0, cookies: '' });
    const cookies = await context.cookies();
    expect(cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite])).toEqual([
      ['dashboard_session', true, 'Strict'],
    ]);
    await screenshot(page, 'overview');
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.crossOrigin).toEqual([]);

    // The same link in a fresh browser: refused, the sign-in page says so.
    const other = await newContext(browser, t.url);
    try {
      const again = await other.newPage();
      await again.goto(link);
      await again.getByRole('heading', { name: 'Sign in to the payments dashboard' }).waitFor();
      await again.getByRole('alert').waitFor();
      expect(await again.getByRole('alert').textContent()).toMatch(/link is not valid/);
      await screenshot(again, 'sign-in-link-refused');
    } finally {
      await other.close();
    }
  });

  it('signs in with Google (the fake) and signs out', async () => {
    google.setIdentity({
      sub: '333333333333333333333',
      email: 'gus@example.com',
      email_verified: true,
      name: 'Gus Google',
    });
    const watch = await watchedPage(context, t.url);
    const { page } = watch;
    await page.goto('/dashboard/');
    await page.getByRole('heading', { name: 'Sign in to the payments dashboard' }).waitFor();
    await screenshot(page, 'sign-in');
    await page.getByRole('link', { name: 'Sign in with Google' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText('Gus Google').first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    // Every card has answered before signing out (a request still in flight when the session
    // ends would be refused, and the browser would log that refusal).
    await page.getByRole('link', { name: 'History and transfers' }).waitFor();
    await page.getByText('No payments yet today.').waitFor();
    await page.getByText('No webhook endpoints yet.').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the payments dashboard' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to the payments dashboard' }).waitFor();
    expect(watch.consoleErrors).toEqual([]);
    // The only other origin is the (fake) Google the sign-in button navigates to.
    expect(watch.crossOrigin.every((url) => url.startsWith(google.url))).toBe(true);
  });
});
