import request from 'supertest';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { createPayment, paymentStatus, waitFor } from './payments.helpers.js';
import { ALL_QUEUES } from '../../src/queue/queue-names.js';

function metricValue(
  text: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        candidate.startsWith(`${name}{`) && wanted.every((label) => candidate.includes(label)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('metrics (e2e)', () => {
  const sender = new GenericWebhookSender(GenericWebhookSender.newSecret());
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        METRICS_TOKEN: 'scrape-token',
        GENERIC_WEBHOOK_SECRET: sender.secret,
        GENERIC_CHECKOUT_URL: 'https://checkout.example/pay',
      },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('refuses a scrape without the metrics token', async () => {
    const res = await request(t.url).get('/metrics').expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
    await request(t.url).get('/metrics').set('Authorization', 'Bearer wrong-token!').expect(401);
  });

  it('counts received, rejected and settled webhooks, HTTP requests and queue depth', async () => {
    const { authHeader } = await signIn(t, 'metrics@example.com');
    const payment = await createPayment(t, authHeader, {
      amount: 2_500,
      currency: 'NGN',
      gateway: 'generic',
    });
    const event = {
      transaction_id: payment.reference,
      status: 'completed' as const,
      amount: 2_500,
      currency: 'NGN',
    };
    expect((await sender.send(t.url, event, { id: 'msg_metrics_1' })).status).toBe(200);
    expect((await sender.send(t.url, event, { id: 'msg_metrics_1' })).status).toBe(200);
    expect(
      (await sender.send(t.url, event, { secret: GenericWebhookSender.newSecret() })).status,
    ).toBe(401);
    await waitFor(
      () => paymentStatus(t, payment.reference),
      (status) => status === 'succeeded',
    );

    const scrape = async () =>
      (await request(t.url).get('/metrics').set('Authorization', 'Bearer scrape-token').expect(200))
        .text;
    const text = await waitFor(
      scrape,
      (body) =>
        metricValue(body, 'inbound_webhook_processing_seconds_count', { gateway: 'generic' }) !==
        undefined,
    );

    expect(
      metricValue(text, 'inbound_webhooks_received_total', {
        gateway: 'generic',
        duplicate: 'false',
      }),
    ).toBe(1);
    expect(
      metricValue(text, 'inbound_webhooks_received_total', {
        gateway: 'generic',
        duplicate: 'true',
      }),
    ).toBe(1);
    expect(
      metricValue(text, 'inbound_webhooks_rejected_total', {
        gateway: 'generic',
        code: 'INVALID_SIGNATURE',
      }),
    ).toBe(1);
    expect(
      metricValue(text, 'payment_transitions_total', { gateway: 'generic', status: 'succeeded' }),
    ).toBe(1);
    expect(
      metricValue(text, 'inbound_webhook_processing_seconds_count', {
        gateway: 'generic',
        outcome: 'processed',
      }),
    ).toBe(1);
    expect(
      metricValue(text, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/payments',
        status: '201',
      }),
    ).toBe(1);
    // Every queue is counted, the relays' included.
    for (const queue of ALL_QUEUES)
      expect([queue, metricValue(text, 'queue_jobs', { queue, state: 'failed' })]).toEqual([
        queue,
        0,
      ]);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('counts wallet transfers by outcome', async () => {
    const sender = await signIn(t, 'metrics-sender@example.com');
    const recipient = await signIn(t, 'metrics-recipient@example.com');
    const wallet = await request(t.url).get('/api/v1/wallet').set(recipient.authHeader).expect(200);
    await request(t.url)
      .post('/api/v1/wallet/transfer')
      .set(sender.authHeader)
      .send({ wallet_number: wallet.body.wallet_number, amount: 100 })
      .expect(422);
    const text = (
      await request(t.url).get('/metrics').set('Authorization', 'Bearer scrape-token').expect(200)
    ).text;
    expect(metricValue(text, 'wallet_transfers_total', { outcome: 'INSUFFICIENT_FUNDS' })).toBe(1);
  });
});
