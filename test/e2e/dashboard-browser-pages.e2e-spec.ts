import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { NotificationRelayService } from '../../src/modules/notifications/notification-relay.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { FakeStripe } from '../fakes/fake-stripe.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { WebhookReceiver } from '../fakes/webhook-receiver.js';
import { launchBrowser } from '../helpers/browser.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, freePort, type TestApp } from '../helpers/test-env.js';
import {
  ensureDashboardBuilt,
  newContext,
  screenshot,
  signInLink,
  watchedPage,
  type PageWatch,
} from './dashboard-browser.helpers.js';
import { createPayment, paymentStatus, paymentsEnv, waitFor } from './payments.helpers.js';
import { balance, fund, PAYSTACK_ACCOUNT } from './payouts.helpers.js';

const API = '/api/v1';

/**
 * The dashboard's pages in real headless Chromium against the real app (SPEC §18): secrets shown
 * once, a paid deposit and the balance, a failing endpoint's attempts and Retry, admin pages and
 * the review decision, and on every page: no console error, no other origin, keyboard reach and
 * no horizontal scroll on a phone.
 */
describe('dashboard in a browser: the pages (e2e)', () => {
  let paystack: FakePaystack;
  let stripe: FakeStripe;
  let receiver: WebhookReceiver;
  let t: TestApp;
  let browser: Browser;
  let dev: SignedIn;

  beforeAll(async () => {
    ensureDashboardBuilt();
    paystack = await new FakePaystack().start();
    stripe = await new FakeStripe().start();
    receiver = await new WebhookReceiver().start();
    const port = await freePort();
    t = await createTestApp({
      port,
      env: paymentsEnv(paystack, GenericWebhookSender.newSecret(), {
        APP_URL: `http://127.0.0.1:${port}`,
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        // One attempt: a failing endpoint's delivery fails at once, for Retry.
        WEBHOOK_RETRY_SCHEDULE: '0',
        // Manual capture (SPEC §15) goes through Stripe.
        ...stripe.env(),
        // Withdrawals above 2,000.00 NGN wait for an admin (SPEC §12).
        PAYOUT_APPROVAL_THRESHOLD: '200000',
        PAYOUT_RECONCILE_INTERVAL: '1h',
      }),
    });
    paystack.appUrl = t.url;
    dev = await signIn(t, 'dev@example.com');
    browser = await launchBrowser();
    // Building the dashboard first, when stale, takes longer than a test.
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await receiver?.close();
    await paystack?.stop();
    await stripe?.stop();
  });

  /** A browser signed in as `email` through a one-time link, on the overview. */
  async function signedInAs(
    email: string,
    viewport = { width: 1280, height: 900 },
  ): Promise<{ context: BrowserContext; watch: PageWatch; page: Page }> {
    const context = await newContext(browser, t.url);
    const watch = await watchedPage(context, t.url);
    await watch.page.setViewportSize(viewport);
    await watch.page.goto(await signInLink(t, email));
    await watch.page.getByRole('heading', { name: 'Overview' }).waitFor();
    return { context, watch, page: watch.page };
  }

  const heading = (page: Page, name: string) =>
    page.getByRole('heading', { level: 1, name }).waitFor();

  it('shows a new API key and a new endpoint’s secret once; after a reload they are gone', async () => {
    const { context, page, watch } = await signedInAs('dev@example.com');
    try {
      await page.goto('/dashboard/developers/keys');
      await heading(page, 'API keys');
      await page.getByLabel('Name').fill('checkout-service');
      await page.getByRole('checkbox', { name: /^payments/ }).check();
      await page.getByRole('button', { name: 'Create key' }).click();
      const keyField = page.getByRole('textbox', { name: 'API key “checkout-service”' });
      await keyField.waitFor();
      const key = await keyField.inputValue();
      expect(key.length).toBeGreaterThan(20);
      // The key works, and it is the one the list shows the prefix of.
      await request(t.url).get(`${API}/payments`).set('x-api-key', key).expect(200);
      await screenshot(page, 'developers-keys');
      await page.reload();
      await heading(page, 'API keys');
      await page.getByRole('cell', { name: 'checkout-service' }).waitFor();
      expect(await page.content()).not.toContain(key);

      await page.goto('/dashboard/developers/webhooks');
      await heading(page, 'Webhook endpoints');
      await page.getByLabel('URL').fill(`${receiver.url}/hooks`);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secretField = page.getByRole('textbox', {
        name: `signing secret for ${receiver.url}/hooks`,
      });
      await secretField.waitFor();
      const secret = await secretField.inputValue();
      expect(secret).toMatch(/^whsec_/);
      await screenshot(page, 'developers-webhooks');
      await page.reload();
      await heading(page, 'Webhook endpoints');
      await page.getByRole('heading', { name: `${receiver.url}/hooks` }).waitFor();
      expect(await page.content()).not.toContain(secret);
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.crossOrigin).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a deposit paid at the fake gateway shows on the payments page, and the wallet balance is GET /wallet’s', async () => {
    const deposit = await request(t.url)
      .post(`${API}/wallet/deposit`)
      .set(dev.authHeader)
      .send({ amount: 250_000 })
      .expect(201);
    const reference = deposit.body.reference as string;
    paystack.markPaid(reference);

    const { context, page, watch } = await signedInAs('dev@example.com');
    try {
      await page.goto(`/dashboard/payments/${reference}`);
      await heading(page, `Payment ${reference}`);
      await page.getByRole('button', { name: 'Verify with the gateway' }).click();
      await page.getByText('The gateway was asked; the payment is Succeeded.').waitFor();
      expect(await paymentStatus(t, reference)).toBe('succeeded');
      await page.getByRole('region', { name: 'Audit trail entries' }).waitFor();
      await page.getByRole('cell', { name: 'Verify' }).waitFor();
      await screenshot(page, 'payment-detail');

      await page.goto('/dashboard/payments');
      await heading(page, 'Payments');
      const row = page.getByRole('row').filter({ hasText: reference });
      await row.getByText('Succeeded').waitFor();
      await screenshot(page, 'payments');

      const wallet = await request(t.url).get(`${API}/wallet`).set(dev.authHeader).expect(200);
      expect(wallet.body.balance).toBe(250_000);
      await page.goto('/dashboard/wallet');
      await heading(page, 'Wallet');
      const shown = await page.locator('#wallet-balance-title + .big-number').textContent();
      expect((shown ?? '').replace(/\D/g, '')).toBe(String(wallet.body.balance));
      await screenshot(page, 'wallet');

      await page.goto('/dashboard/');
      await heading(page, 'Overview');
      await page
        .getByRole('region', { name: 'Payments today' })
        .getByRole('link', { name: /Succeeded/ })
        .waitFor();
      await page.getByRole('link', { name: 'History and transfers' }).waitFor();
      await screenshot(page, 'overview-with-deposit');
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.crossOrigin).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists a failing endpoint’s attempts, and Retry re-sends the same webhook-id', async () => {
    receiver.respondWith(() => ({ status: 503, body: 'down for maintenance' }));
    const endpoint = await request(t.url)
      .post(`${API}/webhook-endpoints`)
      .set(dev.authHeader)
      .send({ url: `${receiver.url}/failing`, events: ['*'] })
      .expect(201);
    const { context, page, watch } = await signedInAs('dev@example.com');
    try {
      await page.goto('/dashboard/developers/webhooks');
      await heading(page, 'Webhook endpoints');
      await page
        .getByRole('listitem')
        .filter({ has: page.getByRole('heading', { name: `${receiver.url}/failing` }) })
        .getByRole('button', { name: 'Send test event' })
        .click();
      await page.getByText(/A test event was sent to/).waitFor();
      const failed = await waitFor(
        async () =>
          (
            await request(t.url)
              .get(`${API}/webhook-deliveries`)
              .query({ endpoint_id: endpoint.body.id, status: 'failed' })
              .set(dev.authHeader)
          ).body.deliveries as { id: string; event_id: string }[],
        (deliveries) => deliveries.length === 1,
      );
      const eventId = failed[0].event_id;
      expect(receiver.forEvent(eventId)).toHaveLength(1);

      await page.goto(`/dashboard/developers/deliveries?endpoint_id=${endpoint.body.id}`);
      await heading(page, 'Delivery log');
      await page.getByRole('region', { name: 'Deliveries' }).waitFor();
      await screenshot(page, 'developers-deliveries');
      await page.goto(`/dashboard/developers/deliveries/${failed[0].id}`);
      await heading(page, 'Delivery');
      const attempts = page.getByRole('region', { name: 'Attempts' });
      await attempts.getByRole('cell', { name: '503' }).waitFor();
      await attempts.getByText('down for maintenance').waitFor();

      receiver.respondWith(() => ({ status: 200, body: 'ok' }));
      await page.getByRole('button', { name: 'Retry now' }).click();
      // The same event, the same webhook-id, sent a second time; and the page says it succeeded.
      await waitFor(
        async () => receiver.forEvent(eventId).length,
        (count) => count === 2,
      );
      const [first, resent] = receiver.forEvent(eventId);
      expect(resent.headers['webhook-id']).toBe(first.headers['webhook-id']);
      expect(resent.body).toBe(first.body);
      await waitFor(
        async () => {
          await page.getByRole('button', { name: 'Reload attempts' }).click();
          return attempts.getByRole('cell', { name: '200' }).count();
        },
        (count) => count === 1,
      );
      await screenshot(page, 'developers-delivery');
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.crossOrigin).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('keeps a non-admin out of the admin pages', async () => {
    const { context, page } = await signedInAs('dev@example.com');
    try {
      expect(
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents(),
      ).not.toContain('Admin');
      await page.goto('/dashboard/admin/review');
      await heading(page, 'Not allowed');
      await page
        .getByRole('alert')
        .getByText(/not an admin account/)
        .waitFor();
      expect(await page.getByRole('form', { name: /Decide on/ }).count()).toBe(0);
      await screenshot(page, 'admin-refused');
      const refused = await request(t.url).get(`${API}/admin/payments`).set(dev.authHeader);
      expect(refused.status).toBe(403);
    } finally {
      await context.close();
    }
  });

  it('lets an admin accept a needs_review payment from the UI', async () => {
    const created = await createPayment(t, dev.authHeader, {
      amount: 500_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markPaid(created.reference, { amount: 600_000 });
    await request(t.url)
      .post(`${API}/payments/${created.reference}/verify`)
      .set(dev.authHeader)
      .expect(200);
    expect(await paymentStatus(t, created.reference)).toBe('needs_review');

    const { context, page, watch } = await signedInAs('admin@example.com');
    try {
      await page.goto('/dashboard/admin/review');
      await heading(page, 'Payments needing review');
      const form = page.getByRole('form', { name: `Decide on ${created.reference}` });
      await form.getByRole('radio', { name: /^Accept/ }).check();
      await form.getByLabel('Note').fill('Customer paid more; accepted as received.');
      await screenshot(page, 'admin-review');
      await form.getByRole('button', { name: 'Accept payment' }).click();
      await waitFor(
        () => paymentStatus(t, created.reference),
        (status) => status === 'succeeded',
      );
      const audit = await request(t.url)
        .get(`${API}/payments/${created.reference}/audit`)
        .set(dev.authHeader)
        .expect(200);
      expect(audit.body.entries.at(-1)).toMatchObject({ action: 'accept', actor: 'admin' });
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.crossOrigin).toEqual([]);
    } finally {
      await context.close();
    }
  });

  /** A manual Stripe payment of `dev`'s, authorized by the payer (SPEC §15). */
  async function authorizedPayment(): Promise<{ reference: string; intentId: string }> {
    const created = await request(t.url)
      .post(`${API}/payments`)
      .set(dev.authHeader)
      .send({
        amount: 10_000,
        currency: 'USD',
        gateway: 'stripe',
        email: 'payer@example.com',
        capture: 'manual',
      })
      .expect(201);
    const reference = created.body.reference as string;
    const sessionId = stripe.sessionByReference(reference).id as string;
    const intentId = stripe.pay(sessionId).id as string;
    await stripe.sendWebhook(
      t.url,
      stripe.paymentIntentEvent('payment_intent.amount_capturable_updated', sessionId),
    );
    await waitFor(
      () => paymentStatus(t, reference),
      (status) => status === 'authorized',
    );
    return { reference, intentId };
  }

  it('cancels an authorized payment from its page after asking', async () => {
    const { reference, intentId } = await authorizedPayment();
    const { context, page, watch } = await signedInAs('dev@example.com');
    try {
      await page.goto(`/dashboard/payments/${reference}`);
      await heading(page, `Payment ${reference}`);
      await page.getByRole('button', { name: 'Cancel authorization' }).click();
      await page
        .getByRole('group', { name: /^Release the whole authorization\?/ })
        .getByRole('button', { name: 'Release it' })
        .click();
      await page.getByText('Done: the payment is Canceled.').waitFor();
      expect(await paymentStatus(t, reference)).toBe('canceled');
      expect(
        stripe.server.count('POST', new RegExp(`^/v1/payment_intents/${intentId}/cancel$`)),
      ).toBe(1);
      expect(watch.consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('captures part of an authorized payment from its page (SPEC §15)', async () => {
    const { reference, intentId } = await authorizedPayment();

    const { context, page, watch } = await signedInAs('dev@example.com');
    try {
      await page.goto(`/dashboard/payments/${reference}`);
      await heading(page, `Payment ${reference}`);
      const form = page.getByRole('form', { name: 'Capture this payment' });
      await form.getByLabel('Amount to capture in USD (optional)').fill('60.00');
      await screenshot(page, 'payment-capture');
      await form.getByRole('button', { name: 'Capture', exact: true }).click();
      await page.getByText(/Done: the payment is Succeeded for/).waitFor();
      const payment = await request(t.url)
        .get(`${API}/payments/${reference}`)
        .set(dev.authHeader)
        .expect(200);
      expect(payment.body).toMatchObject({ status: 'succeeded', amount_received: 6_000 });
      // One capture reached Stripe, for the amount typed.
      expect(
        stripe.server.count('POST', new RegExp(`^/v1/payment_intents/${intentId}/capture$`)),
      ).toBe(1);
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.crossOrigin).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('adds a payout recipient from the bank list, withdraws to it, and a lost answer retried withdraws once', async () => {
    const email = 'payout@example.com';
    const owner = await signIn(t, email);
    await fund(t, paystack, owner, 500_000);
    const { context, page, watch } = await signedInAs(email);
    try {
      await page.goto('/dashboard/wallet');
      await heading(page, 'Wallet');
      const add = page.getByRole('form', { name: 'Add a payout recipient' });
      await add.getByLabel('Bank').selectOption(PAYSTACK_ACCOUNT.bank_code);
      await add.getByLabel('Account number').fill(PAYSTACK_ACCOUNT.account_number);
      await add.getByLabel('Nickname (optional)').fill('Salary');
      await add.getByRole('button', { name: 'Add recipient' }).click();
      await page.getByText(/^Added .+ \(••••4567\)\.$/).waitFor();
      await page.getByRole('cell', { name: /••••4567$/ }).waitFor();

      // The first answer to the withdrawal is lost after the server committed it.
      const keys: string[] = [];
      let lose = true;
      await page.route('**/api/v1/wallet/withdrawals', async (route) => {
        if (route.request().method() !== 'POST') return route.fallback();
        keys.push((await route.request().headerValue('idempotency-key')) ?? '');
        if (!lose) return route.fallback();
        lose = false;
        await route.fetch();
        await route.abort('connectionreset');
      });
      const withdraw = page.getByRole('form', { name: 'Withdraw to a bank account' });
      await withdraw.getByLabel('To').selectOption({ index: 1 });
      await withdraw.getByLabel('Amount in NGN').fill('1500');
      await withdraw.getByRole('button', { name: 'Review withdrawal' }).click();
      await page.getByRole('button', { name: 'Withdraw now' }).click();
      await page.getByText(/No clear answer: trying again is safe/).waitFor();
      expect(await balance(t, owner)).toBe(350_000);
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.getByText(/^Withdrawal of .+ accepted/).waitFor();

      const listed = await request(t.url)
        .get(`${API}/wallet/withdrawals`)
        .set(owner.authHeader)
        .expect(200);
      expect(listed.body.withdrawals).toHaveLength(1);
      expect(listed.body.withdrawals[0]).toMatchObject({ amount: 150_000, currency: 'NGN' });
      expect(await balance(t, owner)).toBe(350_000);
      // The retry carried the first attempt's Idempotency-Key.
      expect(keys).toHaveLength(2);
      expect(keys[1]).toBe(keys[0]);
      expect(keys[0]).not.toBe('');
      const reference = listed.body.withdrawals[0].reference as string;
      await page
        .getByRole('region', { name: 'Withdrawals' })
        .getByRole('cell', { name: reference })
        .waitFor();
      await screenshot(page, 'wallet-payouts');
      // Only the aborted answer is a console error.
      expect(watch.consoleErrors.filter((text) => !/ERR_CONNECTION_RESET/.test(text))).toEqual([]);
      expect(watch.crossOrigin).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lets an admin approve a payout above the threshold', async () => {
    const owner = await signIn(t, 'big-payout@example.com');
    await fund(t, paystack, owner, 400_000);
    const recipient = await request(t.url)
      .post(`${API}/payout-recipients`)
      .set(owner.authHeader)
      .send({ gateway: 'paystack', type: 'bank_account', currency: 'NGN', ...PAYSTACK_ACCOUNT })
      .expect(201);
    const created = await request(t.url)
      .post(`${API}/wallet/withdrawals`)
      .set(owner.authHeader)
      .send({ amount: 300_000, recipient_id: recipient.body.id })
      .expect(202);
    expect(created.body.status).toBe('pending_approval');

    const { context, page, watch } = await signedInAs('admin@example.com');
    try {
      await page.goto('/dashboard/admin/payouts');
      await heading(page, 'Payouts awaiting a person');
      const decide = page.getByRole('group', {
        name: `Decide on payout ${created.body.reference as string}`,
      });
      await screenshot(page, 'admin-payouts');
      await decide.getByRole('button', { name: 'Approve', exact: true }).click();
      await decide.getByRole('button', { name: 'Approve and send' }).click();
      await page
        .getByText(new RegExp(`Payout ${created.body.reference as string} .+ is now`))
        .waitFor();
      const admin = await signIn(t, 'admin@example.com');
      const after = await request(t.url)
        .get(`${API}/admin/payouts`)
        .set(admin.authHeader)
        .expect(200);
      const decided = (
        after.body.payouts as { id: string; status: string; approved_by: string }[]
      ).find((p) => p.id === created.body.id);
      expect(decided?.status).not.toBe('pending_approval');
      expect(decided?.approved_by).toBeTruthy();
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.crossOrigin).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists notifications, marks one read and saves email preferences', async () => {
    const email = 'notified@example.com';
    const owner = await signIn(t, email);
    await fund(t, paystack, owner, 120_000);
    await t.get<NotificationRelayService>(NotificationRelayService).relayPending();
    const listed = await waitFor(
      async () =>
        (await request(t.url).get(`${API}/notifications`).set(owner.authHeader).expect(200)).body
          .notifications as { id: string; title: string; read_at: string | null }[],
      (notifications) => notifications.length === 1,
    );
    const { context, page, watch } = await signedInAs(email);
    try {
      await page.goto('/dashboard/notifications');
      await heading(page, 'Notifications');
      await page.getByRole('heading', { name: `Unread ${listed[0].title}` }).waitFor();
      await screenshot(page, 'notifications');
      await page.getByRole('button', { name: `Mark “${listed[0].title}” read` }).click();
      await page.getByText(`Marked “${listed[0].title}” read.`).waitFor();
      const after = await request(t.url)
        .get(`${API}/notifications`)
        .query({ unread: 'true' })
        .set(owner.authHeader)
        .expect(200);
      expect(after.body.notifications).toEqual([]);

      const preferences = page.getByRole('form', { name: 'Email preferences' });
      await preferences.getByLabel('Your wallet was credited by a deposit').uncheck();
      await preferences.getByRole('button', { name: 'Save preferences' }).click();
      await page.getByText('Your email preferences are saved.').waitFor();
      const saved = await request(t.url)
        .get(`${API}/notification-preferences`)
        .set(owner.authHeader)
        .expect(200);
      expect(saved.body.email).toMatchObject({ wallet_deposits: false, wallet_transfers: true });
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.crossOrigin).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the publishable key and rolls it', async () => {
    const { context, page, watch } = await signedInAs('dev@example.com');
    try {
      await page.goto('/dashboard/developers/publishable-key');
      await heading(page, 'Publishable key');
      const shown = page.getByTestId('publishable-key');
      const before = (await shown.textContent()) ?? '';
      const current = await request(t.url)
        .get(`${API}/keys/publishable`)
        .set(dev.authHeader)
        .expect(200);
      expect(before).toBe(current.body.key);
      await screenshot(page, 'developers-publishable-key');
      await page.getByRole('button', { name: 'Roll key' }).click();
      await page
        .getByRole('group', { name: /Replace this key/ })
        .getByRole('button', { name: 'Roll key' })
        .click();
      await page.getByText(/A new key replaced the old one/).waitFor();
      const after = (await shown.textContent()) ?? '';
      expect(after).not.toBe(before);
      const rolled = await request(t.url)
        .get(`${API}/keys/publishable`)
        .set(dev.authHeader)
        .expect(200);
      expect(rolled.body.key).toBe(after);
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.crossOrigin).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows an open dispute on the overview, and its owner accepts it on the Disputes page', async () => {
    const email = 'disputed@example.com';
    const owner = await signIn(t, email);
    await fund(t, paystack, owner, 80_000);
    const payments = await request(t.url)
      .get(`${API}/payments`)
      .query({ limit: 1 })
      .set(owner.authHeader)
      .expect(200);
    const reference = payments.body.payments[0].reference as string;
    const opened = paystack.disputes.open(paystack.transaction(reference));
    expect(
      (
        await paystack.sendWebhook(
          t.url,
          paystack.disputes.event(opened.id, 'charge.dispute.create'),
        )
      ).status,
    ).toBe(200);
    const [dispute] = await waitFor(
      async () =>
        (await request(t.url).get(`${API}/disputes`).set(owner.authHeader).expect(200)).body
          .disputes as { id: string; status: string }[],
      (disputes) => disputes.length === 1 && disputes[0].status === 'open',
    );
    // The disputed deposit is held.
    expect(await balance(t, owner)).toBe(0);

    const { context, page, watch } = await signedInAs(email);
    try {
      await page.getByRole('region', { name: 'Open disputes' }).getByText(reference).waitFor();
      await page.getByRole('link', { name: 'Answer or accept them' }).click();
      await heading(page, 'Disputes');
      await screenshot(page, 'disputes');
      await page.getByRole('button', { name: 'Accept dispute' }).click();
      await page
        .getByRole('group', { name: /^Concede\?/ })
        .getByRole('button', { name: 'Accept dispute' })
        .click();
      await page.getByText(`Accepted: the dispute on ${reference} is Accepted.`).waitFor();
      const after = await request(t.url)
        .get(`${API}/disputes/${dispute.id}`)
        .set(owner.authHeader)
        .expect(200);
      expect(after.body.status).toBe('accepted');
      // The held money went to the payer once: the wallet neither gets it back nor pays twice.
      expect(await balance(t, owner)).toBe(0);
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.crossOrigin).toEqual([]);
    } finally {
      await context.close();
    }
  });

  const PAGES: [path: string, title: string, name: string][] = [
    ['/dashboard/', 'Overview', 'overview-admin'],
    ['/dashboard/payments', 'Payments', 'payments-list'],
    ['/dashboard/wallet', 'Wallet', 'wallet-admin'],
    ['/dashboard/disputes', 'Disputes', 'disputes-list'],
    ['/dashboard/developers/keys', 'API keys', 'keys'],
    ['/dashboard/developers/webhooks', 'Webhook endpoints', 'webhooks'],
    ['/dashboard/developers/deliveries', 'Delivery log', 'deliveries'],
    ['/dashboard/developers/events', 'Events', 'events'],
    ['/dashboard/developers/publishable-key', 'Publishable key', 'publishable-key'],
    ['/dashboard/notifications', 'Notifications', 'notifications'],
    ['/dashboard/admin/review', 'Payments needing review', 'admin-review-list'],
    ['/dashboard/admin/webhook-events', 'Inbound webhook events', 'admin-webhook-events'],
    ['/dashboard/admin/refunds', 'Refunds awaiting a person', 'admin-refunds'],
    ['/dashboard/admin/payouts', 'Payouts awaiting a person', 'admin-payouts'],
    ['/dashboard/admin/disputes', 'All disputes', 'admin-disputes'],
    ['/dashboard/admin/ledger', 'Ledger check', 'admin-ledger'],
    ['/dashboard/admin/queues', 'Queues', 'admin-queues'],
  ];

  it('every page at 390 px: no console error, no other origin, no horizontal scroll, navigation reachable by keyboard', async () => {
    const { context, page, watch } = await signedInAs('admin@example.com', {
      width: 390,
      height: 844,
    });
    try {
      for (const [path, title, name] of PAGES) {
        await page.goto(path);
        await page.getByRole('heading', { level: 1, name: title }).waitFor();
        await page.waitForLoadState('networkidle');
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect([path, overflow]).toEqual([path, 0]);
        await screenshot(page, `phone-${name}`);
      }
      // Keyboard: from the top of the page, Tab reaches the main navigation's links.
      await page.goto('/dashboard/');
      await heading(page, 'Overview');
      const reached: string[] = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        reached.push(
          await page.evaluate(() => {
            const el = document.activeElement;
            return el?.closest('nav[aria-label="Main"]') ? (el.textContent ?? '') : '';
          }),
        );
      }
      expect(reached.filter(Boolean)).toEqual(
        expect.arrayContaining([
          'Overview',
          'Payments',
          'Wallet',
          'Disputes',
          'Developers',
          'Notifications',
          'Admin',
        ]),
      );
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.crossOrigin).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
