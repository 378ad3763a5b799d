import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import request from 'supertest';
import { launchBrowser } from '../helpers/browser.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { FAST_INBOUND_ENV, paymentStatus } from './payments.helpers.js';

const API = '/api/v1';
const SCREENSHOTS = 'test-results/screenshots';

type Outcome =
  | ['success', { reference: string; sessionId: string }]
  | ['failure', { reference: string; reason: string }]
  | ['close'];

declare global {
  interface Window {
    outcomes: Outcome[];
    openCheckout: (key: string, sessionId: string, orderId?: string) => Promise<void>;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The merchant's own site, on another origin: a page that embeds checkout.js as documented. */
function merchantSite(appUrl: string): Server {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Shop</title>
<script src="${appUrl}/api/v1/checkout.js"></script>
<script src="/shop.js"></script></head><body><h1>Shop</h1></body></html>`;
  const script = `window.outcomes = [];
window.openCheckout = function (key, sessionId, orderId) {
  return new PaymentGateway({
    key: key,
    sessionId: sessionId || undefined,
    orderId: orderId || undefined,
    onSuccess: function (r) { window.outcomes.push(['success', r]); },
    onFailure: function (r) { window.outcomes.push(['failure', r]); },
    onClose: function () { window.outcomes.push(['close']); },
  }).open();
};`;
  return createServer((req, res) => {
    if (req.url === '/shop.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
}

describe('checkout.js in a real browser (SPEC §13)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let merchantServer: Server;
  let merchantOrigin: string;
  let browser: Browser;
  let context: BrowserContext;
  let merchant: SignedIn;
  let pk: string;
  const thirdParty: string[] = [];

  beforeAll(async () => {
    // The bundles the app serves, built from the sources under test (never a stale dist/).
    execFileSync(process.execPath, ['checkout/build.ts'], { stdio: 'inherit' });
    mkdirSync(SCREENSHOTS, { recursive: true });
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    merchantServer = merchantSite(appUrl);
    await new Promise<void>((resolve) => merchantServer.listen(0, '127.0.0.1', resolve));
    merchantOrigin = `http://127.0.0.1:${(merchantServer.address() as AddressInfo).port}`;
    paystack = await new FakePaystack({ appUrl }).start();
    t = await createTestApp({
      port,
      env: {
        ...FAST_INBOUND_ENV,
        APP_URL: appUrl,
        TEST_MODE: 'true',
        CHECKOUT_ALLOWED_ORIGINS: merchantOrigin,
        PAYSTACK_SECRET_KEY: paystack.secretKey,
        PAYSTACK_BASE_URL: paystack.url,
      },
    });
    merchant = await signIn(t, 'merchant@example.com');
    pk = (await request(t.url).get(`${API}/keys/publishable`).set(merchant.authHeader)).body
      .key as string;
    browser = await launchBrowser();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    // Every request the pages make goes to the app, the merchant or the gateway's fake: nothing else.
    context.on('request', (req) => {
      const origin = new URL(req.url()).origin;
      if (![t.url, merchantOrigin, paystack.url].includes(origin)) thirdParty.push(req.url());
    });
  });

  afterEach(() => context.close());

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await paystack?.stop();
    await new Promise<void>((resolve) => merchantServer.close(() => resolve()));
    expect(thirdParty).toEqual([]);
  });

  async function newSession(body: Record<string, unknown> = {}): Promise<string> {
    const res = await request(t.url)
      .post(`${API}/checkout/sessions`)
      .set(merchant.authHeader)
      .send({ amount: 150_000, currency: 'NGN', email: 'payer@example.com', ...body });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function openModal(sessionId: string): Promise<{ page: Page; frame: Frame }> {
    const page = await context.newPage();
    await page.goto(merchantOrigin);
    await page.evaluate(([key, id]) => window.openCheckout(key, id), [pk, sessionId] as const);
    const handle = await page.waitForSelector('iframe[title="Checkout"]');
    const frame = await handle.contentFrame();
    if (!frame) throw new Error('the checkout iframe has no frame');
    await frame.waitForSelector('text=Choose how to pay');
    return { page, frame };
  }

  function outcomes(page: Page): Promise<Outcome[]> {
    return page.evaluate(() => window.outcomes);
  }

  it('Pay on the test gateway fires onSuccess only once the payment succeeded, and never on a forged message', async () => {
    const sessionId = await newSession();
    const { page, frame } = await openModal(sessionId);
    await page.screenshot({ path: `${SCREENSHOTS}/checkout-modal.png` });

    // A message claiming success from the merchant's own window (wrong origin) and one from the
    // checkout frame itself (right origin) before anything was paid: neither is believed.
    await page.evaluate(
      (id) =>
        window.postMessage(
          { type: 'checkout:complete', sessionId: id, reference: 'PAY-FORGED' },
          '*',
        ),
      sessionId,
    );
    await frame.evaluate(
      (id) =>
        window.parent.postMessage(
          { type: 'checkout:complete', sessionId: id, reference: 'PAY-FORGED' },
          '*',
        ),
      sessionId,
    );

    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      frame.getByRole('button', { name: 'Pay with Test gateway' }).click(),
    ]);
    await popup.getByRole('button', { name: 'Pay', exact: true }).click();
    await page.waitForFunction(() => window.outcomes.length > 0, undefined, { timeout: 20_000 });
    const all = await outcomes(page);
    // Exactly one outcome, the real one: had either forged message been believed, it would have
    // come first, with the forged reference.
    expect(all).toHaveLength(1);
    const [outcome] = all;
    expect(outcome[0]).toBe('success');
    const { reference } = (outcome as ['success', { reference: string; sessionId: string }])[1];
    expect(reference).not.toBe('PAY-FORGED');
    expect(outcome[1]).toEqual({ reference, sessionId });
    expect(await paymentStatus(t, reference)).toBe('succeeded');
    expect(await page.$('iframe[title="Checkout"]')).toBeNull();
    await page.screenshot({ path: `${SCREENSHOTS}/checkout-paid.png` });
  });

  it('Fail on the test gateway fires onFailure with the reference', async () => {
    const sessionId = await newSession();
    const { page, frame } = await openModal(sessionId);
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      frame.getByRole('button', { name: 'Pay with Test gateway' }).click(),
    ]);
    await popup.getByRole('button', { name: 'Fail' }).click();
    await page.waitForFunction(() => window.outcomes.length > 0, undefined, { timeout: 20_000 });
    const [outcome] = await outcomes(page);
    expect(outcome[0]).toBe('failure');
    const { reference, reason } = (
      outcome as ['failure', { reference: string; reason: string }]
    )[1];
    expect(await paymentStatus(t, reference)).toBe('failed');
    expect(reason).toMatch(/Fail/);
  });

  it('opens an order with the publishable key from the merchant origin (CORS) and pays it', async () => {
    const order = await request(t.url)
      .post(`${API}/orders`)
      .set(merchant.authHeader)
      .send({ amount: 9_900, currency: 'NGN', receipt: 'browser-order' });
    expect(order.status).toBe(201);
    const page = await context.newPage();
    await page.goto(merchantOrigin);
    await page.evaluate(([key, id]) => window.openCheckout(key, '', id), [
      pk,
      order.body.id as string,
    ] as const);
    const frame = await (await page.waitForSelector('iframe[title="Checkout"]')).contentFrame();
    if (!frame) throw new Error('the checkout iframe has no frame');
    await frame.getByLabel('Email').fill('order.payer@example.com');
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      frame.getByRole('button', { name: 'Pay with Test gateway' }).click(),
    ]);
    await popup.getByRole('button', { name: 'Pay', exact: true }).click();
    await page.waitForFunction(() => window.outcomes.length > 0, undefined, { timeout: 20_000 });
    const [outcome] = await outcomes(page);
    expect(outcome[0]).toBe('success');
    // The order is paid in the same settlement that completed the session.
    const paid = await request(t.url)
      .get(`${API}/orders/${order.body.id}`)
      .set(merchant.authHeader);
    expect(paid.body.status).toBe('paid');
  });

  it('closing the modal fires onClose and nothing else', async () => {
    const sessionId = await newSession();
    const { page } = await openModal(sessionId);
    await page.getByRole('button', { name: 'Close checkout' }).click();
    expect(await outcomes(page)).toEqual([['close']]);
    expect(await page.$('iframe[title="Checkout"]')).toBeNull();
  });

  it('completes a Paystack payment through the fake from the modal, asking for the email', async () => {
    const sessionId = await newSession({ email: undefined, gateways: ['paystack'] });
    const { page, frame } = await openModal(sessionId);
    await frame.getByLabel('Email').fill('card.payer@example.com');
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      frame.getByRole('button', { name: 'Pay with Paystack' }).click(),
    ]);
    await popup.getByRole('button', { name: 'Pay' }).click();
    await page.waitForFunction(() => window.outcomes.length > 0, undefined, { timeout: 20_000 });
    const [outcome] = await outcomes(page);
    expect(outcome[0]).toBe('success');
    const { reference } = (outcome as ['success', { reference: string; sessionId: string }])[1];
    expect(await paymentStatus(t, reference)).toBe('succeeded');
  });

  it('standalone, redirects to the gateway and back, then on to success_url', async () => {
    const sessionId = await newSession({ success_url: `${merchantOrigin}/thanks` });
    const page = await context.newPage();
    await page.goto(`${t.url}${API}/checkout/${sessionId}`);
    await page.getByRole('button', { name: 'Pay with Test gateway' }).click();
    await page.waitForURL(/\/test-gateway\/checkout\//);
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await page.waitForURL(`${merchantOrigin}/thanks`, { timeout: 20_000 });
    const session = await request(t.url)
      .get(`${API}/checkout/sessions/${sessionId}`)
      .set('x-api-key', pk);
    expect(session.body).toMatchObject({ status: 'complete', payment_status: 'succeeded' });
  });

  it('takes a test payment on the TEST_MODE demo shop with no setup', async () => {
    const page = await context.newPage();
    await page.goto(`${t.url}${API}/checkout/demo`);
    await page.getByRole('button', { name: 'Buy' }).click();
    const frame = await (await page.waitForSelector('iframe[title="Checkout"]')).contentFrame();
    if (!frame) throw new Error('the checkout iframe has no frame');
    await frame.getByLabel('Email').fill('demo.payer@example.com');
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      frame.getByRole('button', { name: 'Pay with Test gateway' }).click(),
    ]);
    await popup.getByRole('button', { name: 'Pay', exact: true }).click();
    const status = page.getByRole('status');
    await status.filter({ hasText: /^Paid: PAY-/ }).waitFor({ timeout: 20_000 });
    const reference = ((await status.textContent()) ?? '').replace('Paid: ', '');
    expect(await paymentStatus(t, reference)).toBe('succeeded');
    await page.screenshot({ path: `${SCREENSHOTS}/demo-paid.png` });
  });

  it('serves the hosted page with the CSP of §13 and checkout.js cacheable', async () => {
    const sessionId = await newSession();
    const res = await request(t.url).get(`${API}/checkout/${sessionId}`);
    expect(res.status).toBe(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain(`frame-ancestors ${merchantOrigin}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(res.text).not.toMatch(/\son[a-z]+=/);
    const sdk = await request(t.url).get(`${API}/checkout.js`);
    expect(sdk.status).toBe(200);
    expect(sdk.headers['content-type']).toMatch(/javascript/);
    expect(sdk.headers['cache-control']).toMatch(/public, max-age=\d+/);
  });
});
