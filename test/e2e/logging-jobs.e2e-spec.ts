import { LOG_DESTINATION } from '../../src/common/logging/logging.module.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn } from '../helpers/auth.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { createPayment, paymentStatus, waitFor } from './payments.helpers.js';

describe('request ids through jobs (e2e)', () => {
  const { stream: capture, lines } = captureLogs();
  const sender = new GenericWebhookSender(GenericWebhookSender.newSecret());
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        LOG_LEVEL: 'info',
        GENERIC_WEBHOOK_SECRET: sender.secret,
        GENERIC_CHECKOUT_URL: 'https://checkout.example/pay',
      },
      override: (builder) => builder.overrideProvider(LOG_DESTINATION).useValue(capture),
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('logs the settlement done by the webhook job with the request id of the webhook request', async () => {
    const { authHeader } = await signIn(t, 'traced@example.com');
    const payment = await createPayment(t, authHeader, {
      amount: 5_000,
      currency: 'NGN',
      gateway: 'generic',
    });
    const body = JSON.stringify({
      transaction_id: payment.reference,
      status: 'completed',
      amount: 5_000,
      currency: 'NGN',
    });
    const response = await fetch(`${t.url}/api/v1/webhooks/generic`, {
      method: 'POST',
      headers: { ...sender.headers(body), 'X-Request-Id': 'trace-webhook-42' },
      body,
    });
    expect(response.status).toBe(200);
    await waitFor(
      () => paymentStatus(t, payment.reference),
      (status) => status === 'succeeded',
    );

    const settledLine = await waitFor(
      async () =>
        lines.find(
          (line) =>
            typeof line.msg === 'string' &&
            line.msg.includes(`${payment.reference}:`) &&
            line.msg.includes('succeeded'),
        ),
      (line) => line !== undefined,
    );
    expect(settledLine).toMatchObject({
      request_id: 'trace-webhook-42',
      queue: 'inbound-webhooks',
    });
    expect(settledLine?.job_id).toEqual(expect.any(String));
  });
});
