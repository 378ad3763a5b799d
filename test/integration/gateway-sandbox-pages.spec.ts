import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppConfig } from '../../src/config/app-config.js';
import { FlutterwaveAdapter } from '../../src/modules/gateways/flutterwave/flutterwave.adapter.js';
import { PayPalAdapter } from '../../src/modules/gateways/paypal/paypal.adapter.js';
import { StripeAdapter } from '../../src/modules/gateways/stripe/stripe.adapter.js';
import { FakeFlutterwave } from '../fakes/fake-flutterwave.js';
import { FakePayPal } from '../fakes/fake-paypal.js';
import { FakeStripe } from '../fakes/fake-stripe.js';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The sandbox's hosted pages act as the payer would, and their webhooks pass the adapters' checks. */
describe('sandbox checkout pages of the fake gateways', () => {
  let app: Server;
  let appUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => app.close(resolve));
  });

  const asHeaders = (headers: Record<string, string | string[] | undefined>) =>
    Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value[0] : value,
      ]),
    );

  it('Stripe: "Pay" marks the session paid, posts a verifiable checkout.session.completed and redirects to success_url', async () => {
    const fake = await new FakeStripe({ appUrl }).start();
    try {
      const adapter = new StripeAdapter(new AppConfig(fake.env()));
      const init = await adapter.initialize({
        reference: 'PAY-SANDBOX-STRIPE',
        amount: 1000,
        currency: 'USD',
        email: 'a@b.c',
        returnUrl: `${appUrl}/done`,
      });
      const page = await fetch(init.authorizationUrl);
      expect(await page.text()).toContain('PAY-SANDBOX-STRIPE');
      const paid = await fetch(`${init.authorizationUrl}?action=pay`, {
        method: 'POST',
        redirect: 'manual',
      });
      expect(paid.status).toBe(303);
      expect(paid.headers.get('location')).toBe(`${appUrl}/done`);
      const hook = received
        .filter((entry) => entry.path === '/api/v1/webhooks/stripe')
        .at(-1) as Received;
      const request = { rawBody: Buffer.from(hook.body), headers: asHeaders(hook.headers) };
      await expect(adapter.verifyWebhook(request)).resolves.toBeUndefined();
      expect(adapter.parseWebhook(request)).toMatchObject({
        reference: 'PAY-SANDBOX-STRIPE',
        paymentStatus: 'succeeded',
      });
    } finally {
      await fake.stop();
    }
  });

  it('Flutterwave: "Pay" posts charge.completed with verif-hash and redirects with status, tx_ref and transaction_id', async () => {
    const fake = await new FakeFlutterwave({ appUrl }).start();
    try {
      const adapter = new FlutterwaveAdapter(new AppConfig(fake.env()));
      const init = await adapter.initialize({
        reference: 'PAY-SANDBOX-FLW',
        amount: 1000,
        currency: 'NGN',
        email: 'a@b.c',
        returnUrl: `${appUrl}/done?reference=PAY-SANDBOX-FLW`,
      });
      const paid = await fetch(`${init.authorizationUrl}?action=pay`, {
        method: 'POST',
        redirect: 'manual',
      });
      const location = new URL(paid.headers.get('location') ?? '');
      expect(location.searchParams.get('reference')).toBe('PAY-SANDBOX-FLW');
      expect(location.searchParams.get('status')).toBe('successful');
      const hook = received
        .filter((entry) => entry.path === '/api/v1/webhooks/flutterwave')
        .at(-1) as Received;
      const request = { rawBody: Buffer.from(hook.body), headers: asHeaders(hook.headers) };
      await expect(adapter.verifyWebhook(request)).resolves.toBeUndefined();
      expect(adapter.parseWebhook(request)).toMatchObject({
        reference: 'PAY-SANDBOX-FLW',
        paymentStatus: 'succeeded',
        amount: 1000,
      });
    } finally {
      await fake.stop();
    }
  });

  it('PayPal: "Approve" posts CHECKOUT.ORDER.APPROVED that the verify API accepts, and returns the payer with the token', async () => {
    const fake = await new FakePayPal({ appUrl }).start();
    try {
      const adapter = new PayPalAdapter(new AppConfig(fake.env()));
      const init = await adapter.initialize({
        reference: 'PAY-SANDBOX-PP',
        amount: 1000,
        currency: 'USD',
        email: 'a@b.c',
        returnUrl: `${appUrl}/done?reference=PAY-SANDBOX-PP`,
      });
      const approved = await fetch(`${init.authorizationUrl}&action=approve`, {
        method: 'POST',
        redirect: 'manual',
      });
      expect(new URL(approved.headers.get('location') ?? '').searchParams.get('token')).toBe(
        init.gatewayPaymentId,
      );
      const hook = received
        .filter((entry) => entry.path === '/api/v1/webhooks/paypal')
        .at(-1) as Received;
      const request = { rawBody: Buffer.from(hook.body), headers: asHeaders(hook.headers) };
      await expect(adapter.verifyWebhook(request)).resolves.toBeUndefined();
      expect(
        await adapter.verify({
          reference: 'PAY-SANDBOX-PP',
          gatewayPaymentId: init.gatewayPaymentId as string,
          amount: 1000,
          currency: 'USD',
        }),
      ).toMatchObject({ status: 'succeeded' });
    } finally {
      await fake.stop();
    }
  });
});
