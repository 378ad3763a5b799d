import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { WebhookReceiver } from '../fakes/webhook-receiver.js';
import { createApiKey, signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { eventStatus, paymentsEnv, sql, waitFor } from './payments.helpers.js';

/**
 * Disputes on wallet deposits through the whole app (SPEC §17): Paystack's signed
 * `charge.dispute.*` webhooks, the dispute fetched from the fake Paystack's API, the books moved
 * by the database, the owner's API and outbound events. The ledger check is clean after each test.
 */
describe('disputes (e2e, Paystack)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    receiver = await new WebhookReceiver().start();
    const generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      env: paymentsEnv(paystack, generic.secret, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }),
    });
  });

  afterEach(async () => {
    const report = await t.get<LedgerCheckService>(LedgerCheckService).run();
    expect(report.problems).toEqual([]);
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await paystack?.stop();
  });

  const api = (): ReturnType<typeof request> => request(t.url);
  const person = (): Promise<SignedIn> => signIn(t, `disp-${randomUUID()}@example.com`);

  async function balance(p: SignedIn): Promise<number> {
    return (await api().get('/api/v1/wallet/balance').set(p.authHeader).expect(200)).body
      .balance as number;
  }

  /** A Paystack deposit paid and settled by its charge.success webhook. */
  async function deposit(p: SignedIn, amount: number): Promise<string> {
    const before = await balance(p);
    const started = await api()
      .post('/api/v1/wallet/deposit')
      .set(p.authHeader)
      .send({ amount })
      .expect(201);
    const reference = started.body.reference as string;
    paystack.markPaid(reference);
    expect((await paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(reference))).status).toBe(
      200,
    );
    await waitFor(
      async () =>
        (
          await sql<{ n: number }>(
            t,
            `SELECT count(*)::int AS n FROM ledger_transfers WHERE key = 'deposit:' ||
               (SELECT id FROM payments WHERE reference = $1)::text`,
            [reference],
          )
        )[0].n,
      (n) => n === 1,
    );
    expect(await balance(p)).toBeLessThanOrEqual(before + amount);
    return reference;
  }

  async function send(id: number, type: Parameters<FakePaystack['disputes']['event']>[1]) {
    const sent = await paystack.sendWebhook(t.url, paystack.disputes.event(id, type));
    expect(sent.status).toBe(200);
  }

  async function disputeRow(gatewayDisputeId: number) {
    const rows = await sql<{ id: string; status: string; user_id: string }>(
      t,
      `SELECT id, status, user_id FROM disputes WHERE gateway = 'paystack' AND gateway_dispute_id = $1`,
      [String(gatewayDisputeId)],
    );
    return rows[0];
  }

  async function waitForStatus(gatewayDisputeId: number, status: string): Promise<string> {
    const row = await waitFor(
      () => disputeRow(gatewayDisputeId),
      (found) => found?.status === status,
    );
    return row.id;
  }

  async function disputeTransfers(disputeId: string): Promise<string[]> {
    const rows = await sql<{ kind: string }>(
      t,
      `SELECT kind FROM ledger_transfers
        WHERE key IN ('dispute_hold:' || $1, 'dispute_release:' || $1, 'dispute_loss:' || $1)
        ORDER BY created_at, kind`,
      [disputeId],
    );
    return rows.map((row) => row.kind);
  }

  async function openDispute(reference: string, amount?: number): Promise<number> {
    const dispute = paystack.disputes.open(paystack.transaction(reference), amount);
    await send(dispute.id, 'charge.dispute.create');
    return dispute.id;
  }

  /** Waits until every stored Paystack event has been processed one way or another. */
  async function settled(): Promise<void> {
    await waitFor(
      async () =>
        (
          await sql<{ n: number }>(
            t,
            `SELECT count(*)::int AS n FROM inbound_webhook_events WHERE status IN ('received', 'processing')`,
          )
        )[0].n,
      (n) => n === 0,
    );
  }

  it('holds the deposit when a dispute opens, delivers dispute.created and lists it', async () => {
    const alice = await person();
    await api()
      .post('/api/v1/webhook-endpoints')
      .set(alice.authHeader)
      .send({ url: `${receiver.url}/disputes`, events: ['dispute.created'] })
      .expect(201);
    const reference = await deposit(alice, 12_000);
    expect(await balance(alice)).toBe(12_000);

    const gatewayId = await openDispute(reference);
    const id = await waitForStatus(gatewayId, 'open');
    expect(await balance(alice)).toBe(0);

    const listed = await api().get('/api/v1/disputes').set(alice.authHeader).expect(200);
    expect(listed.body).toEqual({
      disputes: [
        {
          id,
          payment_reference: reference,
          gateway: 'paystack',
          amount: 12_000,
          amount_held: 12_000,
          currency: 'NGN',
          reason: 'chargeback',
          status: 'open',
          due_by: paystack.disputes.get(gatewayId).dueAt,
          evidence_submitted_at: null,
          created_at: expect.any(String),
        },
      ],
      next_cursor: null,
    });
    const one = await api().get(`/api/v1/disputes/${id}`).set(alice.authHeader).expect(200);
    expect(one.body).toEqual(listed.body.disputes[0]);
    // another user cannot see it
    const bob = await person();
    await api().get(`/api/v1/disputes/${id}`).set(bob.authHeader).expect(404);
    expect(
      (await api().get('/api/v1/disputes').set(bob.authHeader).expect(200)).body.disputes,
    ).toEqual([]);

    await receiver.waitFor(() =>
      receiver.requests.some((r) => r.path === '/disputes' && r.body.includes(id)),
    );
    const delivered = receiver.requests.find((r) => r.body.includes(id));
    expect(JSON.parse(delivered?.body ?? '{}')).toMatchObject({
      event: 'dispute.created',
      data: { id, status: 'open', amount: 12_000 },
    });

    const history = await api()
      .get('/api/v1/wallet/transactions?type=dispute_hold')
      .set(alice.authHeader)
      .expect(200);
    expect(history.body.transactions).toEqual([
      expect.objectContaining({ type: 'dispute_hold', amount: 12_000, balance_after: 0 }),
    ]);
  });

  it('holds once when the same dispute event arrives five times (and a reminder on top)', async () => {
    const alice = await person();
    const reference = await deposit(alice, 9_000);
    await deposit(alice, 1_000);
    const dispute = paystack.disputes.open(paystack.transaction(reference));
    await Promise.all(Array.from({ length: 5 }, () => send(dispute.id, 'charge.dispute.create')));
    await send(dispute.id, 'charge.dispute.remind');
    const id = await waitForStatus(dispute.id, 'open');
    await settled();
    expect(await balance(alice)).toBe(1_000);
    expect(await disputeTransfers(id)).toEqual(['dispute_hold']);
  });

  it('releases the hold once when the dispute is won', async () => {
    const alice = await person();
    const reference = await deposit(alice, 8_000);
    const gatewayId = await openDispute(reference);
    const id = await waitForStatus(gatewayId, 'open');
    expect(await balance(alice)).toBe(0);

    paystack.disputes.resolve(gatewayId, 'declined');
    for (let i = 0; i < 3; i++) await send(gatewayId, 'charge.dispute.resolve');
    await waitForStatus(gatewayId, 'won');
    await settled();
    expect(await balance(alice)).toBe(8_000);
    expect(await disputeTransfers(id)).toEqual(['dispute_hold', 'dispute_release']);
    const events = await sql<{ type: string }>(
      t,
      `SELECT type FROM events WHERE type LIKE 'dispute.%' AND data->>'id' = $1 ORDER BY created_at`,
      [id],
    );
    expect(events.map((e) => e.type)).toEqual(['dispute.created', 'dispute.closed']);
  });

  it('keeps a lost dispute out of the wallet and the payment shows disputed: lost', async () => {
    const alice = await person();
    const reference = await deposit(alice, 6_000);
    const gatewayId = await openDispute(reference);
    const id = await waitForStatus(gatewayId, 'open');
    paystack.disputes.resolve(gatewayId, 'merchant-accepted');
    await send(gatewayId, 'charge.dispute.resolve');
    await waitForStatus(gatewayId, 'lost');
    expect(await balance(alice)).toBe(0);
    expect(await disputeTransfers(id)).toEqual(['dispute_hold', 'dispute_loss']);
    const payment = await api().get(`/api/v1/payments/${reference}`).set(alice.authHeader);
    expect(payment.status).toBe(200);
    expect(payment.body.disputed).toBe('lost');
  });

  it('a dispute on a spent deposit leaves the balance at 0 and the next deposit pays it first', async () => {
    const alice = await person();
    const bob = await person();
    const reference = await deposit(alice, 10_000);
    const bobWallet = (await api().get('/api/v1/wallet').set(bob.authHeader).expect(200)).body
      .wallet_number as string;
    await api()
      .post('/api/v1/wallet/transfer')
      .set(alice.authHeader)
      .send({ wallet_number: bobWallet, amount: 7_000 })
      .expect(201);
    const gatewayId = await openDispute(reference);
    await waitForStatus(gatewayId, 'open');
    expect(await balance(alice)).toBe(0);

    await deposit(alice, 5_000); // 7,000 owed: all of it goes to the receivable
    expect(await balance(alice)).toBe(0);
    await deposit(alice, 4_000); // 2,000 still owed
    expect(await balance(alice)).toBe(2_000);
    const [owed] = await sql<{ balance: string }>(
      t,
      `SELECT balance FROM ledger_accounts WHERE name = 'dispute_receivable:' || $1`,
      [alice.userId],
    );
    expect(Number(owed.balance)).toBe(0);
    const history = await api()
      .get('/api/v1/wallet/transactions?limit=100')
      .set(alice.authHeader)
      .expect(200);
    const balances = (history.body.transactions as { balance_after: number }[]).map(
      (tx) => tx.balance_after,
    );
    expect(Math.min(...balances)).toBeGreaterThanOrEqual(0);
  });

  it('reaches the right end state when the resolve arrives before the create', async () => {
    const alice = await person();
    const reference = await deposit(alice, 3_000);
    const dispute = paystack.disputes.open(paystack.transaction(reference));
    paystack.disputes.resolve(dispute.id, 'declined');
    await send(dispute.id, 'charge.dispute.resolve');
    const id = await waitForStatus(dispute.id, 'won');
    await send(dispute.id, 'charge.dispute.create');
    await settled();
    expect((await disputeRow(dispute.id)).status).toBe('won');
    expect(await balance(alice)).toBe(3_000);
    expect(await disputeTransfers(id)).toEqual(['dispute_hold', 'dispute_release']);
  });

  it('parks a dispute for a payment it does not know as unmatched', async () => {
    const dispute = paystack.disputes.open({
      id: 777_001,
      reference: 'PAY-20260101000000-UNKNOWN0',
      amount: 4_000,
      currency: 'NGN',
    });
    const event = paystack.disputes.event(dispute.id, 'charge.dispute.create');
    expect((await paystack.sendWebhook(t.url, event)).status).toBe(200);
    const eventId = `charge.dispute.create.${dispute.id}.awaiting-merchant-feedback`;
    await waitFor(
      () => eventStatus(t, 'paystack', eventId),
      (status) => status === 'unmatched',
    );
    expect(await disputeRow(dispute.id)).toBeUndefined();
  });

  it('accepting a dispute concedes it at Paystack and moves the hold once', async () => {
    const alice = await person();
    const reference = await deposit(alice, 2_000);
    const gatewayId = await openDispute(reference);
    const id = await waitForStatus(gatewayId, 'open');
    const accepted = await api()
      .post(`/api/v1/disputes/${id}/accept`)
      .set(alice.authHeader)
      .expect(200);
    expect(accepted.body.status).toBe('accepted');
    expect(paystack.disputes.get(gatewayId).resolution).toBe('merchant-accepted');
    await send(gatewayId, 'charge.dispute.resolve'); // Paystack's own word: lost, the same outcome
    await settled();
    expect(await disputeTransfers(id)).toEqual(['dispute_hold', 'dispute_loss']);
    await api().post(`/api/v1/disputes/${id}/accept`).set(alice.authHeader).expect(422);
    expect(await balance(alice)).toBe(0);
  });

  it('sends evidence to Paystack and marks the dispute under review', async () => {
    const alice = await person();
    const reference = await deposit(alice, 2_500);
    const gatewayId = await openDispute(reference);
    const id = await waitForStatus(gatewayId, 'open');
    const res = await api()
      .post(`/api/v1/disputes/${id}/evidence`)
      .set(alice.authHeader)
      .send({
        text: 'Delivered on 2026-01-20, signed for.',
        uploaded_file_urls: ['https://files.example.com/pod.pdf'],
      })
      .expect(200);
    expect(res.body).toMatchObject({
      status: 'under_review',
      evidence_submitted_at: expect.any(String),
    });
    expect(paystack.disputes.get(gatewayId).evidence).toEqual([
      expect.objectContaining({
        service_details: 'Delivered on 2026-01-20, signed for.\nhttps://files.example.com/pod.pdf',
      }),
    ]);
    await api()
      .post(`/api/v1/disputes/${id}/evidence`)
      .set(alice.authHeader)
      .send({ text: '' })
      .expect(400);
  });

  it('lists disputes newest first with a cursor and a status filter; permission payments; admins see all', async () => {
    const alice = await person();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reference = await deposit(alice, 1_000 + i);
      const gatewayId = await openDispute(reference);
      ids.push(await waitForStatus(gatewayId, 'open'));
      if (i === 0) {
        paystack.disputes.resolve(gatewayId, 'declined');
        await send(gatewayId, 'charge.dispute.resolve');
        await waitForStatus(gatewayId, 'won');
      }
    }
    const first = await api().get('/api/v1/disputes?limit=2').set(alice.authHeader).expect(200);
    expect(first.body.disputes.map((d: { id: string }) => d.id)).toEqual([ids[2], ids[1]]);
    const second = await api()
      .get(`/api/v1/disputes?limit=2&cursor=${first.body.next_cursor as string}`)
      .set(alice.authHeader)
      .expect(200);
    expect(second.body).toEqual({
      disputes: [expect.objectContaining({ id: ids[0] })],
      next_cursor: null,
    });
    const won = await api().get('/api/v1/disputes?status=won').set(alice.authHeader).expect(200);
    expect(won.body.disputes.map((d: { id: string }) => d.id)).toEqual([ids[0]]);
    await api().get('/api/v1/disputes?status=closed').set(alice.authHeader).expect(400);

    const readKey = await createApiKey(t, alice.token, ['read']);
    await api().get('/api/v1/disputes').set('x-api-key', readKey).expect(403);
    const paymentsKey = await createApiKey(t, alice.token, ['payments']);
    const viaKey = await api().get('/api/v1/disputes').set('x-api-key', paymentsKey).expect(200);
    expect(viaKey.body.disputes).toHaveLength(3);

    await api().get('/api/v1/admin/disputes').set(alice.authHeader).expect(403);
    const admin = await signIn(t, 'admin@example.com');
    const all = await api()
      .get('/api/v1/admin/disputes?limit=100')
      .set(admin.authHeader)
      .expect(200);
    expect(all.body.disputes.map((d: { id: string }) => d.id)).toEqual(expect.arrayContaining(ids));
    await api().get(`/api/v1/disputes/${ids[1]}`).set(admin.authHeader).expect(200);
  });

  it('a dispute racing a refund of the same deposit: the books balance and the payer is paid once', async () => {
    const alice = await person();
    const reference = await deposit(alice, 5_000);
    const dispute = paystack.disputes.open(paystack.transaction(reference));
    const [refund] = await Promise.all([
      api().post(`/api/v1/payments/${reference}/refunds`).set(alice.authHeader).send({}),
      send(dispute.id, 'charge.dispute.create'),
    ]);
    expect([202, 422]).toContain(refund.status);
    if (refund.status === 422) expect(refund.body.code).toBe('PAYMENT_DISPUTED');
    const id = await waitForStatus(dispute.id, 'open');
    await settled();
    if (refund.status === 202) {
      // the gateway refuses to refund a disputed charge: the refund fails and gives the money back
      await waitFor(
        async () =>
          (
            await sql<{ status: string }>(t, `SELECT status FROM refunds WHERE id = $1`, [
              refund.body.id,
            ])
          )[0].status,
        (status) => status === 'failed',
      );
    }
    expect(await balance(alice)).toBe(0);
    expect(await disputeTransfers(id)).toEqual(['dispute_hold']);
    const [accounts] = await sql<{ receivable: string | null; held: string }>(
      t,
      `SELECT (SELECT balance FROM ledger_accounts WHERE name = 'dispute_receivable:' || $1)::text AS receivable,
              (SELECT balance FROM ledger_accounts WHERE name = 'disputes_held:' || $1)::text AS held`,
      [alice.userId],
    );
    expect(Number(accounts.receivable ?? 0)).toBe(0);
    expect(Number(accounts.held)).toBe(5_000);
    const succeeded = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM refunds WHERE payment_reference = $1 AND status = 'succeeded'`,
      [reference],
    );
    expect(succeeded[0].n).toBe(0);
  });
});
