import { createServer } from 'node:net';
import { postWebhook } from '../fakes/fake-gateway-kit.js';
import { FakePayPal } from '../fakes/fake-paypal.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { paymentsEnv, sql } from './payments.helpers.js';

const WEBHOOK_LIMIT = 40;
const UNVERIFIED_LIMIT = 50;
const VERIFY_API = /^\/v1\/notifications\/verify-webhook-signature$/;

/**
 * SPEC §7: a bad or missing signature does not count against the gateway's rate limit (unverified
 * requests are limited per client address instead), and an unverified request causes at most one
 * outbound verification call per event id.
 */
describe('inbound webhook limits: verified per gateway, unverified per address (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let paypal: FakePayPal;
  let ordinal = 7_000_000;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    paypal = await new FakePayPal().start();
    t = await createTestApp({
      env: paymentsEnv(paystack, GenericWebhookSender.newSecret(), {
        ...paypal.env(),
        THROTTLE_WEBHOOK_LIMIT: String(WEBHOOK_LIMIT),
        THROTTLE_LIMIT: String(UNVERIFIED_LIMIT),
        // One window for the whole file.
        THROTTLE_TTL: '24h',
      }),
    });
  });

  afterAll(async () => {
    await t.close();
    await paystack.stop();
    await paypal.stop();
  });

  function paystackEvent(): string {
    const id = ordinal++;
    return JSON.stringify({
      event: 'charge.success',
      data: { id, status: 'success', reference: `PAY-LIMIT-${id}`, amount: 5_000, currency: 'NGN' },
    });
  }

  const post = (gateway: string, body: string, headers: Record<string, string>) =>
    postWebhook(`${t.url}/api/v1/webhooks/${gateway}`, body, headers);

  it('keeps answering a correctly signed webhook after more unsigned posts than the gateway limit', async () => {
    // From many addresses, as a botnet would: none of them reaches its own limit.
    for (let i = 0; i <= WEBHOOK_LIMIT + 5; i++) {
      const answer = await post('paystack', paystackEvent(), {
        'x-forwarded-for': `203.0.113.${i % 5}`,
      });
      expect(answer.status).toBe(401);
    }
    const event = paystackEvent();
    const signed = await post('paystack', event, { 'x-paystack-signature': paystack.sign(event) });
    expect(signed).toEqual({ status: 200, body: { received: true, duplicate: false } });
  });

  it('answers an unsigned flood from one address with 429 and Retry-After, storing nothing', async () => {
    const from = { 'x-forwarded-for': '198.51.100.23' };
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i <= UNVERIFIED_LIMIT; i++) {
      last = await fetch(`${t.url}/api/v1/webhooks/paystack`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-paystack-signature': 'ab'.repeat(64),
          ...from,
        },
        body: paystackEvent(),
      });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, UNVERIFIED_LIMIT)).toEqual(Array(UNVERIFIED_LIMIT).fill(401));
    expect(statuses.at(-1)).toBe(429);
    expect(await last?.json()).toMatchObject({ code: 'RATE_LIMITED' });
    const retryAfter = Number(last?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    const stored = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM inbound_webhook_events WHERE reference LIKE 'PAY-LIMIT-%'`,
    );
    // Only the one signed event of the test before.
    expect(stored[0].n).toBe(1);
  });

  it('calls PayPal’s verify API at most once for any number of forged posts with one event id', async () => {
    const event = paypal.event('CHECKOUT.ORDER.APPROVED', 'checkout-order', { id: 'ORDER-X' }, 'x');
    const body = JSON.stringify(event);
    const before = paypal.server.count('POST', VERIFY_API);
    const identical = paypal.transmissionHeaders(body, { forged: true });
    const answers = await Promise.all([
      // The same forged request, five times at once, and five more each with its own headers.
      ...Array.from({ length: 5 }, () => post('paypal', body, identical)),
      ...Array.from({ length: 5 }, () =>
        post('paypal', body, paypal.transmissionHeaders(body, { forged: true })),
      ),
    ]);
    for (let i = 0; i < 5; i++) {
      answers.push(await post('paypal', body, paypal.transmissionHeaders(body, { forged: true })));
      // The same id with another body: no new call either.
      const other = JSON.stringify({ ...event, summary: `changed ${i}` });
      answers.push(
        await post('paypal', other, paypal.transmissionHeaders(other, { forged: true })),
      );
    }
    expect(paypal.server.count('POST', VERIFY_API) - before).toBe(1);
    // Refused (401) or told to come back (503); never accepted, never stored.
    expect(answers.map((answer) => answer.status).filter((s) => s !== 401 && s !== 503)).toEqual(
      [],
    );
    expect(answers.filter((answer) => answer.status === 401).length).toBeGreaterThanOrEqual(5);
    expect(
      await sql(t, `SELECT 1 FROM inbound_webhook_events WHERE event_id = $1`, [event.id]),
    ).toEqual([]);
  });

  it('verifies a real PayPal event once: its redelivery is a duplicate without a call, another body under its id is refused', async () => {
    const event = paypal.event('CHECKOUT.ORDER.APPROVED', 'checkout-order', { id: 'ORDER-Y' }, 'y');
    const before = paypal.server.count('POST', VERIFY_API);
    expect(await paypal.sendWebhook(t.url, event)).toEqual({
      status: 200,
      body: { received: true, duplicate: false },
    });
    // PayPal's retry: the same event under new transmission headers.
    expect(await paypal.sendWebhook(t.url, event)).toEqual({
      status: 200,
      body: { received: true, duplicate: true },
    });
    const forged = { ...event, summary: 'a forged copy' };
    const forgedBody = JSON.stringify(forged);
    expect((await post('paypal', forgedBody, paypal.transmissionHeaders(forgedBody))).status).toBe(
      401,
    );
    expect(paypal.server.count('POST', VERIFY_API) - before).toBe(1);
  });

  it('lets the next delivery call PayPal again when the verify API could not answer', async () => {
    const event = paypal.event('CHECKOUT.ORDER.APPROVED', 'checkout-order', { id: 'ORDER-Z' }, 'z');
    const before = paypal.server.count('POST', VERIFY_API);
    paypal.server.failNext(503, 1, (req) => VERIFY_API.test(req.path));
    expect((await paypal.sendWebhook(t.url, event)).status).toBe(503);
    expect((await paypal.sendWebhook(t.url, event)).status).toBe(200);
    expect(paypal.server.count('POST', VERIFY_API) - before).toBe(2);
  });

  it('refuses PayPal-shaped posts from an address over its unverified limit without calling PayPal', async () => {
    const from = { 'x-forwarded-for': '192.0.2.44' };
    let status = 0;
    for (let i = 0; i <= UNVERIFIED_LIMIT && status !== 429; i++)
      status = (await post('paystack', paystackEvent(), from)).status;
    expect(status).toBe(429);
    const before = paypal.server.count('POST', VERIFY_API);
    for (let i = 0; i < 3; i++) {
      const event = paypal.event('CHECKOUT.ORDER.APPROVED', 'checkout-order', { id: 'O' }, 'o');
      const body = JSON.stringify(event);
      const answer = await post('paypal', body, {
        ...paypal.transmissionHeaders(body, { forged: true }),
        ...from,
      });
      expect(answer.status).toBe(429);
    }
    expect(paypal.server.count('POST', VERIFY_API) - before).toBe(0);
  });
});

describe('PayPal verify calls while Redis is down (e2e)', () => {
  let t: TestApp;
  let paypal: FakePayPal;

  beforeAll(async () => {
    paypal = await new FakePayPal().start();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    t = await createTestApp({ env: { ...paypal.env(), REDIS_URL: `redis://127.0.0.1:${port}` } });
  });

  afterAll(async () => {
    await t.close();
    await paypal.stop();
  });

  it('still shares one call among identical requests arriving together', async () => {
    const event = paypal.event('CHECKOUT.ORDER.APPROVED', 'checkout-order', { id: 'ORDER-R' }, 'r');
    const body = JSON.stringify(event);
    const headers = paypal.transmissionHeaders(body, { forged: true });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        postWebhook(`${t.url}/api/v1/webhooks/paypal`, body, headers),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(401));
    expect(paypal.server.count('POST', VERIFY_API)).toBe(1);
  });
});
