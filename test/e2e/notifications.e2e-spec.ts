import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { LOG_DESTINATION } from '../../src/common/logging/logging.module.js';
import { AppEvents } from '../../src/modules/events/app-events.js';
import { OutboxService } from '../../src/modules/outbound-webhooks/outbox.service.js';
import { NotificationEmailsService } from '../../src/modules/notifications/notification-emails.service.js';
import { NotificationRelayService } from '../../src/modules/notifications/notification-relay.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { loadFixture } from '../fakes/fixtures.js';
import { SmtpSink } from '../fakes/smtp-sink.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { createApiKey, signIn, type SignedIn } from '../helpers/auth.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import {
  createPayment,
  paymentsEnv,
  paymentStatus,
  paystackDeposit,
  sql,
  waitFor,
} from './payments.helpers.js';

interface NotificationRow {
  id: string;
  type: string;
  user_id: string;
  email_status: string;
  email_attempts: number;
  email_to: string | null;
}

const ATTEMPTS = 8;

describe('notifications to people (e2e, real SMTP server on loopback)', () => {
  const logs = captureLogs();
  let t: TestApp;
  let paystack: FakePaystack;
  let smtp: SmtpSink;
  const generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
  /** Every secret the app knows or handed out in this file: none may reach a mail or a log line. */
  const secrets: string[] = [];

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    smtp = await new SmtpSink().start();
    t = await createTestApp({
      env: paymentsEnv(paystack, generic.secret, {
        LOG_LEVEL: 'info',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Shop <no-reply@shop.example>',
        NOTIFICATION_ATTEMPTS: String(ATTEMPTS),
        NOTIFICATION_BACKOFF: '50ms',
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        REFUND_BACKOFF: '100ms',
        REFUND_RECONCILE_INTERVAL: '1h',
        REFUND_POLL_INTERVAL: '1h',
      }),
      override: (builder) => builder.overrideProvider(LOG_DESTINATION).useValue(logs.stream),
    });
    secrets.push(smtp.password, paystack.secretKey, generic.secret);
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    await paystack?.stop();
  });

  const api = (): ReturnType<typeof request> => request(t.url);
  const person = (): Promise<SignedIn> => signIn(t, `n-${randomUUID()}@example.com`);
  const emailOf = async (p: SignedIn): Promise<string> =>
    (await sql<{ email: string }>(t, `SELECT email FROM users WHERE id = $1`, [p.userId]))[0].email;

  async function notificationsOf(userId: string, type?: string): Promise<NotificationRow[]> {
    return sql<NotificationRow>(
      t,
      `SELECT id, type, user_id, email_status, email_attempts, email_to FROM notifications
        WHERE user_id = $1 AND ($2::text IS NULL OR type = $2) ORDER BY created_at`,
      [userId, type ?? null],
    );
  }

  /** A Paystack payment the fake says was paid, settled by a webhook sent `copies` times at once. */
  async function paidPayment(
    p: SignedIn,
    amount: number,
    payer: string,
    copies = 1,
  ): Promise<string> {
    const created = await createPayment(t, p.authHeader, {
      amount,
      currency: 'NGN',
      gateway: 'paystack',
      email: payer,
    });
    paystack.markPaid(created.reference);
    const event = paystack.chargeSuccessEvent(created.reference);
    await Promise.all(Array.from({ length: copies }, () => paystack.sendWebhook(t.url, event)));
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );
    return created.reference;
  }

  const fundedWallet = (p: SignedIn, amount: number): Promise<string> =>
    paystackDeposit(t, paystack, p, amount);

  it('mails one receipt to the payer when the same succeeded-payment webhook arrives 20 times', async () => {
    const merchant = await person();
    const payer = `payer-${randomUUID()}@example.com`;
    const reference = await paidPayment(merchant, 500_000, payer, 20);

    await smtp.waitFor(() => smtp.mailsTo(payer).length >= 1);
    // Drain anything still on its way: a second notification or mail would be made by now.
    await t.get<NotificationRelayService>(NotificationRelayService).relayPending();
    const [notification] = await notificationsOf(merchant.userId, 'payment.success');
    await waitFor(
      async () => (await notificationsOf(merchant.userId, 'payment.success'))[0]?.email_status,
      (status) => status === 'sent',
    );
    expect(await notificationsOf(merchant.userId)).toHaveLength(1);
    expect(notification.email_to).toBe(payer);

    const mails = smtp.mailsTo(payer);
    expect(mails).toHaveLength(1);
    expect(mails[0].from).toBe('no-reply@shop.example');
    expect(mails[0].subject.replace(/\u00a0/g, ' ')).toBe('Your receipt: NGN 5,000.00');
    expect(mails[0].text).toContain(reference);
    expect(mails[0].text.replace(/\u00a0/g, ' ')).toContain('Amount paid: NGN 5,000.00');
    expect(mails[0].html).toContain(reference);
    expect(mails[0].messageId).toBe(`<notification-${notification.id}@shop.example>`);

    const listed = await api().get('/api/v1/notifications').set(merchant.authHeader).expect(200);
    expect(listed.body.notifications).toEqual([
      {
        id: notification.id,
        type: 'payment.success',
        title: expect.stringContaining('Payment received'),
        body: expect.any(String),
        data: {
          payment_reference: reference,
          amount: 500_000,
          currency: 'NGN',
          paid_at: expect.any(String),
        },
        read_at: null,
        created_at: expect.any(String),
        email_status: 'sent',
      },
    ]);
  });

  it('sends nothing for a failed payment', async () => {
    const merchant = await person();
    const payer = `failed-${randomUUID()}@example.com`;
    const created = await createPayment(t, merchant.authHeader, {
      amount: 9_900,
      currency: 'NGN',
      gateway: 'paystack',
      email: payer,
    });
    paystack.markFailed(created.reference);
    await api()
      .post(`/api/v1/payments/${created.reference}/verify`)
      .set(merchant.authHeader)
      .expect(200);
    expect(await paymentStatus(t, created.reference)).toBe('failed');
    const events = await sql(
      t,
      `SELECT id FROM events WHERE type = 'payment.failed' AND data->>'reference' = $1`,
      [created.reference],
    );
    expect(events).toHaveLength(1);
    await waitFor(
      () => sql(t, `SELECT 1 FROM notification_inbox WHERE event_id = $1`, [events[0].id]),
      (rows) => rows.length === 0,
    );
    expect(await notificationsOf(merchant.userId)).toEqual([]);
    expect(smtp.mailsTo(payer)).toEqual([]);
  });

  it('sends nothing for a settlement that rolls back, and one receipt once it commits', async () => {
    const merchant = await person();
    const payer = `rollback-${randomUUID()}@example.com`;
    const created = await createPayment(t, merchant.authHeader, {
      amount: 12_300,
      currency: 'NGN',
      gateway: 'paystack',
      email: payer,
    });
    // A 'payment.succeeded' handler (this test's) answers a SQL call that settlement runs in its one
    // statement: it raises, so the payment, its outbox row and so its inbox row roll back.
    const dataSource = t.get<DataSource>(DataSource);
    await dataSource.query(`
      CREATE OR REPLACE FUNCTION test_fail_settlement(p_reference text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure after settling %', p_reference; END $$`);
    let failures = 0;
    let failing = true;
    const events = t.get<AppEvents>(AppEvents);
    events.on('payment.succeeded', (payment) => {
      if (!failing || payment.reference !== created.reference) return Promise.resolve(null);
      failures++;
      return Promise.resolve({ name: 'test_fail_settlement', args: [payment.reference] });
    });
    paystack.markPaid(created.reference);
    await api()
      .post(`/api/v1/payments/${created.reference}/verify`)
      .set(merchant.authHeader)
      .then((res) => expect(res.status).toBeGreaterThanOrEqual(500));
    expect(failures).toBeGreaterThanOrEqual(1);
    expect(await paymentStatus(t, created.reference)).toBe('pending');
    await t.get<NotificationRelayService>(NotificationRelayService).relayPending();
    expect(await notificationsOf(merchant.userId)).toEqual([]);
    expect(smtp.mailsTo(payer)).toEqual([]);

    failing = false;
    await api()
      .post(`/api/v1/payments/${created.reference}/verify`)
      .set(merchant.authHeader)
      .expect(200);
    await smtp.waitFor(() => smtp.mailsTo(payer).length >= 1);
    expect(smtp.mailsTo(payer)).toHaveLength(1);
    expect(await notificationsOf(merchant.userId)).toHaveLength(1);
  });

  it('tells no one of a change that rolled back, and once of one that committed', async () => {
    const owner = await person();
    const dataSource = t.get<DataSource>(DataSource);
    const outbox = t.get<OutboxService>(OutboxService);
    const transfer = (reference: string) => ({
      id: randomUUID(),
      type: 'transfer_in',
      amount: 1_000,
      currency: 'NGN',
      status: 'success',
      reference,
      counterparty_wallet_number: '4012345678901',
      narration: null,
      balance_after: 1_000,
      created_at: new Date().toISOString(),
    });
    await expect(
      dataSource.transaction(async (manager) => {
        await outbox.record(manager, {
          userId: owner.userId,
          type: 'wallet.transfer.received',
          data: transfer('TRF-ROLLED-BACK'),
        });
        throw new Error('the change fails after recording its event');
      }),
    ).rejects.toThrow('the change fails');
    await dataSource.transaction((manager) =>
      outbox.record(manager, {
        userId: owner.userId,
        type: 'wallet.transfer.received',
        data: transfer('TRF-COMMITTED'),
      }),
    );
    const relay = t.get<NotificationRelayService>(NotificationRelayService);
    await relay.relayPending();
    await relay.relayPending();
    const address = await emailOf(owner);
    await smtp.waitFor(() => smtp.mailsTo(address).length >= 1);
    const rows = await sql<{ data: { reference: string } }>(
      t,
      `SELECT data FROM notifications WHERE user_id = $1`,
      [owner.userId],
    );
    expect(rows.map((r) => r.data.reference)).toEqual(['TRF-COMMITTED']);
    expect(smtp.mailsTo(address)).toHaveLength(1);
  });

  it('mails the depositor, the transfer recipient and the refunded payer, each once', async () => {
    const alice = await person();
    const bob = await person();
    const [aliceEmail, bobEmail] = [await emailOf(alice), await emailOf(bob)];

    // A deposit: its owner is told once (wallet.deposit.success), with no payer receipt beside it.
    await fundedWallet(alice, 300_000);
    await smtp.waitFor(() => smtp.mailsTo(aliceEmail).length >= 1);
    const deposit = smtp.mailsTo(aliceEmail);
    expect(deposit).toHaveLength(1);
    expect(deposit[0].subject.replace(/\u00a0/g, ' ')).toBe('Wallet funded: NGN 3,000.00');

    // A transfer: the recipient is told, with the sender's wallet number masked.
    const aliceWallet = (await api().get('/api/v1/wallet').set(alice.authHeader).expect(200)).body
      .wallet_number as string;
    const bobWallet = (await api().get('/api/v1/wallet').set(bob.authHeader).expect(200)).body
      .wallet_number as string;
    secrets.push(aliceWallet, bobWallet);
    await api()
      .post('/api/v1/wallet/transfer')
      .set(alice.authHeader)
      .send({ wallet_number: bobWallet, amount: 120_000, narration: 'rent <june>' })
      .expect(201);
    await smtp.waitFor(() => smtp.mailsTo(bobEmail).length >= 1);
    const received = smtp.mailsTo(bobEmail);
    expect(received).toHaveLength(1);
    expect(received[0].subject.replace(/\u00a0/g, ' ')).toBe('Money received: NGN 1,200.00');
    expect(received[0].text).toContain(`•••• ${aliceWallet.slice(-4)}`);
    expect(received[0].html).toContain('rent &lt;june&gt;');

    // A refund: the payer of the refunded payment is told.
    const payer = `refunded-${randomUUID()}@example.com`;
    const reference = await paidPayment(alice, 40_000, payer);
    await smtp.waitFor(() => smtp.mailsTo(payer).length >= 1);
    const refund = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 15_000 })
      .expect(202);
    await waitFor(
      () =>
        sql<{ gateway_refund_id: string | null }>(
          t,
          `SELECT gateway_refund_id FROM refunds WHERE id = $1`,
          [refund.body.id],
        ),
      (rows) => rows[0]?.gateway_refund_id !== null,
    );
    const template = loadFixture<{ data: Record<string, unknown> }>(
      'paystack',
      'refund-processed-event',
    );
    await paystack.sendWebhook(t.url, {
      event: 'refund.processed',
      data: {
        ...template.data,
        status: 'processed',
        transaction_reference: reference,
        refund_reference: `RR${randomUUID().slice(0, 8)}`,
        amount: '15000',
        currency: 'NGN',
      },
    });
    await smtp.waitFor(() => smtp.mailsTo(payer).length >= 2);
    const refundMail = smtp.mailsTo(payer).find((m) => m.subject.startsWith('Your refund'));
    expect(refundMail?.subject.replace(/\u00a0/g, ' ')).toBe('Your refund: NGN 150.00');
    expect(refundMail?.text).toContain(reference);

    // Nobody else was told anything: Alice only of her deposit, Bob only of his transfer.
    await t.get<NotificationRelayService>(NotificationRelayService).relayPending();
    expect(smtp.mailsTo(aliceEmail)).toHaveLength(1);
    expect(smtp.mailsTo(bobEmail)).toHaveLength(1);
    expect(smtp.mailsTo(payer)).toHaveLength(2);
    expect((await notificationsOf(alice.userId)).map((n) => n.type)).toEqual([
      'wallet.deposit.success',
      'payment.success',
      'refund.processed',
    ]);
    expect((await notificationsOf(bob.userId)).map((n) => n.type)).toEqual([
      'wallet.transfer.received',
    ]);
  });

  it('respects email preferences; the in-app notification is kept', async () => {
    const merchant = await person();
    const initial = await api()
      .get('/api/v1/notification-preferences')
      .set(merchant.authHeader)
      .expect(200);
    expect(initial.body).toEqual({
      email: {
        payment_receipts: true,
        wallet_deposits: true,
        wallet_transfers: true,
        payouts: true,
      },
    });
    const patched = await api()
      .patch('/api/v1/notification-preferences')
      .set(merchant.authHeader)
      .send({ email: { payment_receipts: false } })
      .expect(200);
    expect(patched.body.email).toEqual({
      payment_receipts: false,
      wallet_deposits: true,
      wallet_transfers: true,
      payouts: true,
    });
    const unknown = await api()
      .patch('/api/v1/notification-preferences')
      .set(merchant.authHeader)
      .send({ email: { marketing: true } })
      .expect(400);
    expect(unknown.body.code).toBe('VALIDATION_FAILED');
    await api()
      .patch('/api/v1/notification-preferences')
      .set(merchant.authHeader)
      .send({ email: { wallet_deposits: 'yes' } })
      .expect(400);

    const quietPayer = `quiet-${randomUUID()}@example.com`;
    await paidPayment(merchant, 1_000, quietPayer);
    await waitFor(
      () => notificationsOf(merchant.userId, 'payment.success'),
      (rows) => rows.length === 1,
    );
    const [quiet] = await notificationsOf(merchant.userId, 'payment.success');
    expect(quiet.email_status).toBe('skipped');

    await api()
      .patch('/api/v1/notification-preferences')
      .set(merchant.authHeader)
      .send({ email: { payment_receipts: true } })
      .expect(200);
    const loudPayer = `loud-${randomUUID()}@example.com`;
    await paidPayment(merchant, 2_000, loudPayer);
    await smtp.waitFor(() => smtp.mailsTo(loudPayer).length === 1);
    expect(smtp.mailsTo(quietPayer)).toEqual([]);
  });

  it('lists in-app notifications newest first, pages them, marks one and then all read', async () => {
    const owner = await person();
    const other = await person();
    const outbox = t.get<OutboxService>(OutboxService);
    const dataSource = t.get<DataSource>(DataSource);
    for (let i = 0; i < 3; i++) {
      await dataSource.transaction((manager) =>
        outbox.record(manager, {
          userId: owner.userId,
          type: 'wallet.deposit.success',
          data: {
            id: randomUUID(),
            type: 'deposit',
            amount: (i + 1) * 100,
            currency: 'NGN',
            status: 'success',
            reference: `DEP-${i}`,
            counterparty_wallet_number: null,
            narration: null,
            balance_after: 0,
            created_at: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
          },
          occurredAt: new Date(Date.UTC(2026, 0, 1 + i)),
        }),
      );
    }
    await t.get<NotificationRelayService>(NotificationRelayService).relayPending();
    const refs = (body: { notifications: { data: { reference: string } }[] }) =>
      body.notifications.map((n) => n.data.reference);

    const all = await api().get('/api/v1/notifications').set(owner.authHeader).expect(200);
    expect(refs(all.body)).toEqual(['DEP-2', 'DEP-1', 'DEP-0']);
    const first = await api()
      .get('/api/v1/notifications?limit=2')
      .set(owner.authHeader)
      .expect(200);
    expect(refs(first.body)).toEqual(['DEP-2', 'DEP-1']);
    const second = await api()
      .get(`/api/v1/notifications?limit=2&cursor=${first.body.next_cursor as string}`)
      .set(owner.authHeader)
      .expect(200);
    expect(refs(second.body)).toEqual(['DEP-0']);
    expect(second.body.next_cursor).toBeNull();
    await api().get('/api/v1/notifications?cursor=bogus').set(owner.authHeader).expect(400);
    await api().get('/api/v1/notifications?unread=maybe').set(owner.authHeader).expect(400);

    const middle = all.body.notifications[1] as { id: string };
    // Another user's notification reads as not found, and stays unread.
    await api().post(`/api/v1/notifications/${middle.id}/read`).set(other.authHeader).expect(404);
    await api().post('/api/v1/notifications/not-a-uuid/read').set(owner.authHeader).expect(404);
    const read = await api()
      .post(`/api/v1/notifications/${middle.id}/read`)
      .set(owner.authHeader)
      .expect(200);
    expect(read.body.read_at).toEqual(expect.any(String));
    const unread = await api()
      .get('/api/v1/notifications?unread=true')
      .set(owner.authHeader)
      .expect(200);
    expect(refs(unread.body)).toEqual(['DEP-2', 'DEP-0']);

    const readAll = await api()
      .post('/api/v1/notifications/read-all')
      .set(owner.authHeader)
      .expect(200);
    expect(readAll.body).toEqual({ marked_read: 2 });
    const none = await api()
      .get('/api/v1/notifications?unread=true')
      .set(owner.authHeader)
      .expect(200);
    expect(none.body.notifications).toEqual([]);
    const again = await api()
      .post(`/api/v1/notifications/${middle.id}/read`)
      .set(owner.authHeader)
      .expect(200);
    expect(again.body.read_at).toBe(read.body.read_at);

    // People read their notifications; an API key never does.
    const key = await createApiKey(t, owner.token, ['read']);
    secrets.push(key, owner.token);
    await api().get('/api/v1/notifications').set('x-api-key', key).expect(403);
  });

  it('retries while the SMTP server refuses and delivers once after it returns', async () => {
    const owner = await person();
    const address = await emailOf(owner);
    smtp.refusing = true;
    try {
      await fundedWallet(owner, 10_000);
      await waitFor(
        async () => (await notificationsOf(owner.userId))[0]?.email_attempts ?? 0,
        (attempts) => attempts >= 3,
      );
      expect(smtp.mailsTo(address)).toEqual([]);
      const [row] = await notificationsOf(owner.userId);
      expect(row.email_status).toBe('pending');
    } finally {
      smtp.refusing = false;
    }
    await smtp.waitFor(() => smtp.mailsTo(address).length >= 1);
    await waitFor(
      async () => (await notificationsOf(owner.userId))[0].email_status,
      (status) => status === 'sent',
    );
    // Jobs of earlier attempts, and any number of duplicates, find it sent.
    const emails = t.get<NotificationEmailsService>(NotificationEmailsService);
    const [row] = await notificationsOf(owner.userId);
    expect(await Promise.all([emails.attempt(row.id), emails.attempt(row.id)])).toEqual([
      'not-due',
      'not-due',
    ]);
    expect(smtp.mailsTo(address)).toHaveLength(1);
    const metrics = await request(t.url).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/notification_emails_total\{outcome="retried"\} [1-9]/);
    expect(metrics.text).toMatch(/notification_emails_total\{outcome="sent"\} [1-9]/);
  });

  it('gives up after NOTIFICATION_ATTEMPTS: the notification shows email_status failed', async () => {
    const owner = await person();
    const address = await emailOf(owner);
    smtp.refusing = true;
    try {
      await fundedWallet(owner, 20_000);
      await waitFor(
        async () => (await notificationsOf(owner.userId))[0]?.email_status,
        (status) => status === 'failed',
        60_000,
      );
    } finally {
      smtp.refusing = false;
    }
    const [row] = await notificationsOf(owner.userId);
    expect(row.email_attempts).toBe(ATTEMPTS);
    const listed = await api().get('/api/v1/notifications').set(owner.authHeader).expect(200);
    expect(listed.body.notifications[0].email_status).toBe('failed');
    expect(smtp.mailsTo(address)).toEqual([]);
  });

  it('sends one mail per notification however many attempts race for it', async () => {
    const owner = await person();
    const address = await emailOf(owner);
    const relay = t.get<NotificationRelayService>(NotificationRelayService);
    const emails = t.get<NotificationEmailsService>(NotificationEmailsService);
    const dataSource = t.get<DataSource>(DataSource);
    // Three notifications whose mails no job is sending: they are left to the racers below.
    const events = await dataSource.transaction(async (manager) => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push(
          await t.get<OutboxService>(OutboxService).record(manager, {
            userId: owner.userId,
            type: 'wallet.deposit.success',
            data: {
              id: randomUUID(),
              type: 'deposit',
              amount: 4_200 + i,
              currency: 'NGN',
              status: 'success',
              reference: `DEP-RACE-${i}`,
              counterparty_wallet_number: null,
              narration: null,
              balance_after: 4_200,
              created_at: new Date().toISOString(),
            },
          }),
        );
      }
      await manager.query(`DELETE FROM notification_inbox WHERE event_id = ANY ($1)`, [ids]);
      return ids;
    });
    await sql(
      t,
      `INSERT INTO notifications (event_id, user_id, type, title, body, data, created_at, email_to, email_status, email_next_attempt_at)
       SELECT id, user_id, type, 'Wallet funded', 'Your wallet was credited.',
              jsonb_build_object('reference', data->>'reference', 'amount', data->'amount', 'currency', 'NGN', 'credited_at', created_at),
              created_at, $2, 'pending', now()
         FROM events WHERE id = ANY ($1)`,
      [events, address],
    );
    const rows = await notificationsOf(owner.userId);
    expect(rows).toHaveLength(3);
    // Ten attempts for each, interleaved, all at once: several land in the same claim statement.
    const racers = Array.from({ length: 30 }, (_, i) => rows[i % 3].id);
    const outcomes = await Promise.all(racers.map((id) => emails.attempt(id)));
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'not-due')).toHaveLength(27);
    for (const row of rows)
      expect(outcomes.filter((o, i) => o === 'sent' && racers[i] === row.id)).toHaveLength(1);
    // The events relayed again (inbox rows re-added) find their notifications made: nothing new.
    await sql(
      t,
      `INSERT INTO notification_inbox (event_id, created_at) SELECT unnest($1::text[]), now()`,
      [events],
    );
    await relay.relayPending();
    expect(await notificationsOf(owner.userId)).toHaveLength(3);
    await smtp.waitFor(() => smtp.mailsTo(address).length >= 3);
    expect(smtp.mailsTo(address)).toHaveLength(3);
    expect(new Set(smtp.mailsTo(address).map((m) => m.messageId)).size).toBe(3);
  });

  it('sends a mail whose job was lost (Redis outage, killed worker) once the sweeper finds it', async () => {
    const owner = await person();
    const address = await emailOf(owner);
    const eventId = await t.get<DataSource>(DataSource).transaction(async (manager) => {
      const id = await t.get<OutboxService>(OutboxService).record(manager, {
        userId: owner.userId,
        type: 'wallet.deposit.success',
        data: {
          id: randomUUID(),
          type: 'deposit',
          amount: 777,
          currency: 'NGN',
          status: 'success',
          reference: 'DEP-LOST-JOB',
          counterparty_wallet_number: null,
          narration: null,
          balance_after: 777,
          created_at: new Date().toISOString(),
        },
      });
      await manager.query(`DELETE FROM notification_inbox WHERE event_id = $1`, [id]);
      return id;
    });
    // Committed and due for a while, but no job was ever enqueued for it.
    await sql(
      t,
      `INSERT INTO notifications (event_id, user_id, type, title, body, data, created_at, email_to, email_status, email_next_attempt_at)
       SELECT id, user_id, type, 'Wallet funded', 'Your wallet was credited.',
              jsonb_build_object('reference', 'DEP-LOST-JOB', 'amount', 777, 'currency', 'NGN', 'credited_at', created_at),
              created_at, $2, 'pending', now() - interval '1 minute'
         FROM events WHERE id = $1`,
      [eventId, address],
    );
    await smtp.waitFor(() => smtp.mailsTo(address).length >= 1);
    await waitFor(
      async () => (await notificationsOf(owner.userId))[0].email_status,
      (status) => status === 'sent',
    );
    expect(smtp.mailsTo(address)).toHaveLength(1);
    expect(smtp.mailsTo(address)[0].text).toContain('DEP-LOST-JOB');
  });

  it('puts no secret, token, key or full account number in any mail or log line', async () => {
    const owner = await person();
    const endpoint = await api()
      .post('/api/v1/webhook-endpoints')
      .set(owner.authHeader)
      .send({ url: 'http://127.0.0.1:9/in', events: ['payment.success'] })
      .expect(201);
    secrets.push(endpoint.body.secret as string, owner.token);
    const payer = `scan-${randomUUID()}@example.com`;
    await paidPayment(owner, 3_000, payer);
    await smtp.waitFor(() => smtp.mailsTo(payer).length === 1);

    expect(smtp.mails.length).toBeGreaterThan(8);
    expect(logs.raw.length).toBeGreaterThan(0);
    const recipients = [...new Set(smtp.mails.flatMap((m) => m.to))];
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(8);
      for (const mail of smtp.mails) {
        expect(`${mail.raw}\n${mail.text}\n${mail.html}`).not.toContain(secret);
      }
      for (const line of logs.raw) expect(line).not.toContain(secret);
    }
    // Logs name no recipient in full (addresses are redacted where a mail is mentioned).
    for (const address of recipients) {
      for (const line of logs.raw) expect(line).not.toContain(address);
    }
  });
});
