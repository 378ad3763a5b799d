import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { RefundInput, RefundResult } from '../../src/modules/gateways/gateway.interface.js';
import { PaystackAdapter } from '../../src/modules/gateways/paystack/paystack.adapter.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { loadFixture } from '../fakes/fixtures.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { createApiKey, signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import {
  createPayment,
  eventStatus,
  paymentsEnv,
  paystackDeposit,
  sql,
  waitFor,
  walletBalance,
} from './payments.helpers.js';

interface RefundRow {
  id: string;
  status: string;
  amount: string;
  gateway_refund_id: string | null;
  gateway_refund_reference: string | null;
  needs_attention: string | null;
  wallet_debited: boolean;
  initiated_by: string;
}

describe('refunds (e2e, Paystack)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let admin: SignedIn;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    const generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      env: paymentsEnv(paystack, generic.secret, {
        REFUND_BACKOFF: '100ms',
        REFUND_RECONCILE_INTERVAL: '1h',
        REFUND_POLL_INTERVAL: '1h',
      }),
    });
    admin = await signIn(t, 'admin@example.com');
  });

  afterEach(() => {
    paystack.fault = 'ok';
  });

  afterAll(async () => {
    await t?.close();
    await paystack?.stop();
  });

  const api = (): ReturnType<typeof request> => request(t.url);
  const person = (): Promise<SignedIn> => signIn(t, `r-${randomUUID()}@example.com`);

  /** A Paystack payment the fake says was paid, settled through verify. */
  async function paidPayment(p: SignedIn, amount: number): Promise<string> {
    const created = await createPayment(t, p.authHeader, {
      amount,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markPaid(created.reference);
    const verified = await api()
      .post(`/api/v1/payments/${created.reference}/verify`)
      .set(p.authHeader)
      .expect(200);
    expect(verified.body.status).toBe('succeeded');
    return created.reference;
  }

  const creditedDeposit = (p: SignedIn, amount: number): Promise<string> =>
    paystackDeposit(t, paystack, p, amount);

  const balance = (p: SignedIn): Promise<number> => walletBalance(t, p);

  async function payment(
    p: SignedIn,
    reference: string,
  ): Promise<{ amount_refunded: number; refund_status: string; status: string }> {
    return (await api().get(`/api/v1/payments/${reference}`).set(p.authHeader).expect(200)).body;
  }

  async function refundRow(id: string): Promise<RefundRow> {
    const [row] = await sql<RefundRow>(t, `SELECT * FROM refunds WHERE id = $1`, [id]);
    return row;
  }

  async function refundsOf(reference: string): Promise<RefundRow[]> {
    return sql<RefundRow>(
      t,
      `SELECT * FROM refunds WHERE payment_reference = $1 ORDER BY created_at`,
      [reference],
    );
  }

  async function refundEvents(
    refundId: string,
  ): Promise<{ type: string; data: Record<string, unknown> }[]> {
    return sql(
      t,
      `SELECT type, data FROM events WHERE type LIKE 'refund.%' AND data->>'id' = $1 ORDER BY created_at`,
      [refundId],
    );
  }

  async function expectLedgerClean(): Promise<void> {
    const report = await t.get<LedgerCheckService>(LedgerCheckService).run();
    expect(report.problems).toEqual([]);
  }

  /** Waits until the refund job has Paystack's answer (the refund id of POST /refund) recorded. */
  async function acceptedByGateway(refundId: string): Promise<RefundRow> {
    return waitFor(
      () => refundRow(refundId),
      (row) => row.gateway_refund_id !== null,
    );
  }

  /** A refund event shaped like Paystack's documented samples: no refund id, no merchant note. */
  function paystackRefundEvent(
    type: 'refund.processed' | 'refund.failed',
    data: { reference: string; amount: number; refundReference: string; id?: number },
  ): Record<string, unknown> {
    const template = loadFixture<{ data: Record<string, unknown> }>(
      'paystack',
      type === 'refund.processed' ? 'refund-processed-event' : 'refund-failed-event',
    );
    return {
      event: type,
      data: {
        ...template.data,
        ...(data.id === undefined ? {} : { id: data.id }),
        status: type === 'refund.processed' ? 'processed' : 'failed',
        transaction_reference: data.reference,
        refund_reference: data.refundReference,
        amount: String(data.amount),
        currency: 'NGN',
      },
    };
  }

  function refundEventId(type: string, refundReference: string, status: string): string {
    return `${type}.${refundReference}.${status}`;
  }

  it('refunds part of a payment, then the rest by default, keeping amount_refunded and refund_status', async () => {
    const alice = await person();
    const reference = await paidPayment(alice, 100_000);

    const first = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 30_000, reason: 'one item returned' })
      .expect(202);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      payment_reference: reference,
      amount: 30_000,
      currency: 'NGN',
      status: 'pending',
      reason: 'one item returned',
      created_at: expect.any(String),
    });
    expect(await payment(alice, reference)).toMatchObject({
      amount_refunded: 30_000,
      refund_status: 'partial',
      status: 'succeeded',
    });

    const rest = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({})
      .expect(202);
    expect(rest.body).toMatchObject({ amount: 70_000, status: 'pending', reason: null });
    expect(await payment(alice, reference)).toMatchObject({
      amount_refunded: 100_000,
      refund_status: 'full',
    });

    const more = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 1 })
      .expect(422);
    expect(more.body.code).toBe('REFUND_EXCEEDS_REMAINING');

    // the job hands both to Paystack, which answers pending: they wait in processing for its webhook
    const accepted = await acceptedByGateway(first.body.id);
    expect(accepted.status).toBe('processing');
    expect(paystack.refunds.get(Number(accepted.gateway_refund_id))).toMatchObject({
      amount: 30_000,
      merchantNote: `refund:${first.body.id}`,
    });
    await acceptedByGateway(rest.body.id);

    const got = await api()
      .get(`/api/v1/refunds/${first.body.id}`)
      .set(alice.authHeader)
      .expect(200);
    expect(got.body).toEqual({
      id: first.body.id,
      payment_reference: reference,
      amount: 30_000,
      currency: 'NGN',
      status: 'processing',
      reason: 'one item returned',
      failure_reason: null,
      gateway: 'paystack',
      initiated_by: 'user',
      created_at: first.body.created_at,
      updated_at: expect.any(String),
      completed_at: null,
    });
    const listed = await api()
      .get(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .expect(200);
    expect(listed.body.refunds.map((r: { id: string }) => r.id)).toEqual([
      rest.body.id,
      first.body.id,
    ]);
    expect(listed.body.next_cursor).toBeNull();
    const paged = await api()
      .get(`/api/v1/payments/${reference}/refunds?limit=1`)
      .set(alice.authHeader)
      .expect(200);
    expect(paged.body.refunds.map((r: { id: string }) => r.id)).toEqual([rest.body.id]);
    const next = await api()
      .get(`/api/v1/payments/${reference}/refunds?limit=1&cursor=${paged.body.next_cursor}`)
      .set(alice.authHeader)
      .expect(200);
    expect(next.body).toEqual({
      refunds: [expect.objectContaining({ id: first.body.id })],
      next_cursor: null,
    });
    await expectLedgerClean();
  });

  it('accepts exactly two of ten concurrent 40% refunds; amount_refunded equals the sum accepted', async () => {
    const alice = await person();
    const reference = await paidPayment(alice, 100_000);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        api()
          .post(`/api/v1/payments/${reference}/refunds`)
          .set(alice.authHeader)
          .send({ amount: 40_000 }),
      ),
    );
    const accepted = responses.filter((res) => res.status === 202);
    const refused = responses.filter((res) => res.status === 422);
    expect(accepted).toHaveLength(2);
    expect(refused).toHaveLength(8);
    for (const res of refused) expect(res.body.code).toBe('REFUND_EXCEEDS_REMAINING');
    expect(await payment(alice, reference)).toMatchObject({
      amount_refunded: 80_000,
      refund_status: 'partial',
    });
    const rows = await refundsOf(reference);
    expect(rows.map((row) => Number(row.amount))).toEqual([40_000, 40_000]);
    await expectLedgerClean();
  });

  it('refuses a refund of a pending or failed payment with 422 PAYMENT_NOT_REFUNDABLE', async () => {
    const alice = await person();
    const pending = await createPayment(t, alice.authHeader, {
      amount: 10_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    const res = await api()
      .post(`/api/v1/payments/${pending.reference}/refunds`)
      .set(alice.authHeader)
      .send({})
      .expect(422);
    expect(res.body.code).toBe('PAYMENT_NOT_REFUNDABLE');

    const failed = await createPayment(t, alice.authHeader, {
      amount: 10_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markFailed(failed.reference);
    expect(
      (
        await api()
          .post(`/api/v1/payments/${failed.reference}/verify`)
          .set(alice.authHeader)
          .expect(200)
      ).body.status,
    ).toBe('failed');
    const again = await api()
      .post(`/api/v1/payments/${failed.reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 100 })
      .expect(422);
    expect(again.body.code).toBe('PAYMENT_NOT_REFUNDABLE');
    expect([
      ...(await refundsOf(pending.reference)),
      ...(await refundsOf(failed.reference)),
    ]).toEqual([]);
  });

  it.each([[0], [-5], [1.5], ['100'], [2 ** 53]])(
    'answers 400 VALIDATION_FAILED for amount %p',
    async (amount) => {
      const alice = await person();
      const reference = await paidPayment(alice, 10_000);
      const res = await api()
        .post(`/api/v1/payments/${reference}/refunds`)
        .set(alice.authHeader)
        .send({ amount })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(await refundsOf(reference)).toEqual([]);
    },
  );

  it("answers 404 for another user's payment and refund, and 403 to an API key without `refunds`", async () => {
    const alice = await person();
    const bob = await person();
    const reference = await paidPayment(alice, 10_000);
    const created = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 1_000 })
      .expect(202);

    expect(
      (await api().get(`/api/v1/refunds/${created.body.id}`).set(bob.authHeader).expect(404)).body
        .code,
    ).toBe('NOT_FOUND');
    await api().get(`/api/v1/payments/${reference}/refunds`).set(bob.authHeader).expect(404);
    await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(bob.authHeader)
      .send({ amount: 1_000 })
      .expect(404);
    await api().get('/api/v1/refunds/not-a-uuid').set(alice.authHeader).expect(404);

    const paymentsOnly = await createApiKey(t, alice.token, ['payments']);
    const denied = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set('x-api-key', paymentsOnly)
      .send({ amount: 1_000 })
      .expect(403);
    expect(denied.body.code).toBe('PERMISSION_DENIED');
    const refundsKey = await createApiKey(t, alice.token, ['refunds']);
    await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set('x-api-key', refundsKey)
      .send({ amount: 1_000 })
      .expect(202);
    expect(await payment(alice, reference)).toMatchObject({ amount_refunded: 2_000 });
  });

  it('replays an idempotent refund request instead of refunding twice', async () => {
    const alice = await person();
    const reference = await paidPayment(alice, 50_000);
    const key = { ...alice.authHeader, 'Idempotency-Key': `refund-${randomUUID()}` };
    const first = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(key)
      .send({ amount: 20_000 })
      .expect(202);
    const second = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(key)
      .send({ amount: 20_000 })
      .expect(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const reused = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(key)
      .send({ amount: 5_000 })
      .expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await refundsOf(reference)).toHaveLength(1);
    expect(await payment(alice, reference)).toMatchObject({ amount_refunded: 20_000 });
  });

  it('refuses a deposit refund once the money has been transferred away, changing nothing', async () => {
    const alice = await person();
    const bob = await person();
    const reference = await creditedDeposit(alice, 50_000);
    const bobWallet = (await api().get('/api/v1/wallet').set(bob.authHeader).expect(200)).body
      .wallet_number as string;
    await api()
      .post('/api/v1/wallet/transfer')
      .set(alice.authHeader)
      .send({ wallet_number: bobWallet, amount: 30_000 })
      .expect(201);

    const res = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({})
      .expect(422);
    expect(res.body.code).toBe('INSUFFICIENT_FUNDS');
    expect(await balance(alice)).toBe(20_000);
    expect(await balance(bob)).toBe(30_000);
    expect(await payment(alice, reference)).toMatchObject({
      amount_refunded: 0,
      refund_status: 'none',
      status: 'succeeded',
    });
    expect(await refundsOf(reference)).toEqual([]);
    expect(
      await sql(
        t,
        `SELECT 1 FROM ledger_transfers WHERE kind = 'refund' AND reference LIKE 'RFD-%' AND key IN (SELECT 'refund:' || id FROM refunds WHERE payment_reference = $1)`,
        [reference],
      ),
    ).toEqual([]);

    // what is still in the wallet can be refunded
    await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 20_000 })
      .expect(202);
    expect(await balance(alice)).toBe(0);
    expect(await payment(alice, reference)).toMatchObject({
      amount_refunded: 20_000,
      refund_status: 'partial',
    });
    await expectLedgerClean();
  });

  it('gives a deposit refund back to the wallet when Paystack refuses it', async () => {
    const alice = await person();
    const reference = await creditedDeposit(alice, 40_000);
    // Paystack now refuses refunds of this transaction for good (400)
    paystack.transaction(reference).status = 'failed';
    const created = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({})
      .expect(202);
    expect(await balance(alice)).toBe(0);

    const failed = await waitFor(
      () => refundRow(created.body.id),
      (row) => row.status === 'failed',
    );
    expect(failed.wallet_debited).toBe(true);
    expect(await balance(alice)).toBe(40_000);
    expect(await payment(alice, reference)).toMatchObject({
      amount_refunded: 0,
      refund_status: 'none',
    });
    const got = await api()
      .get(`/api/v1/refunds/${created.body.id}`)
      .set(alice.authHeader)
      .expect(200);
    expect(got.body).toMatchObject({
      status: 'failed',
      failure_reason: expect.stringMatching(/paystack refused the refund/),
    });
    expect((await refundEvents(created.body.id)).map((e) => e.type)).toEqual(['refund.failed']);
    const history = await api()
      .get('/api/v1/wallet/transactions')
      .set(alice.authHeader)
      .expect(200);
    expect(
      history.body.transactions.map((tx: { type: string; amount: number }) => [tx.type, tx.amount]),
    ).toEqual([
      ['refund_reversal', 40_000],
      ['refund', 40_000],
      ['deposit', 40_000],
    ]);
    await expectLedgerClean();
  });

  it("gives a deposit refund back to the wallet when Paystack's refund.failed webhook arrives", async () => {
    const alice = await person();
    const reference = await creditedDeposit(alice, 25_000);
    const created = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 10_000 })
      .expect(202);
    await acceptedByGateway(created.body.id);
    expect(await balance(alice)).toBe(15_000);

    const event = paystackRefundEvent('refund.failed', {
      reference,
      amount: 10_000,
      refundReference: `TRF_${randomUUID().slice(0, 8)}`,
    });
    expect((await paystack.sendWebhook(t.url, event)).status).toBe(200);
    await waitFor(
      () => refundRow(created.body.id),
      (row) => row.status === 'failed',
    );
    expect(await balance(alice)).toBe(25_000);
    expect(await payment(alice, reference)).toMatchObject({
      amount_refunded: 0,
      refund_status: 'none',
    });
    expect((await refundEvents(created.body.id)).map((e) => e.type)).toEqual(['refund.failed']);
    // the amount may be refunded again
    await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 25_000 })
      .expect(202);
    await expectLedgerClean();
  });

  it("settles a refund once when Paystack's webhook beats the refund API's own answer, and ignores duplicates", async () => {
    const alice = await person();
    const reference = await paidPayment(alice, 60_000);
    const adapter = t.get<PaystackAdapter>(PaystackAdapter);
    const original = adapter.refund.bind(adapter);
    const refundReference = `RR${Date.now()}`;
    let webhookEvent: Record<string, unknown> | undefined;
    adapter.refund = async (input: RefundInput): Promise<RefundResult> => {
      const answer = await original(input);
      // Paystack processes the refund and its webhook reaches us before this answer does
      const atPaystack = paystack.refunds.get(Number(answer.gatewayRefundId));
      if (atPaystack) atPaystack.status = 'processed';
      webhookEvent = paystackRefundEvent('refund.processed', {
        reference,
        amount: input.amount,
        refundReference,
      });
      await paystack.sendWebhook(t.url, webhookEvent);
      await waitFor(
        () => refundRow(input.refundId),
        (row) => row.status === 'succeeded',
      );
      return answer;
    };
    let refundId: string;
    try {
      const created = await api()
        .post(`/api/v1/payments/${reference}/refunds`)
        .set(alice.authHeader)
        .send({ amount: 60_000 })
        .expect(202);
      refundId = created.body.id as string;
      // the job then records the (late) pending answer, which changes nothing
      await acceptedByGateway(refundId);
    } finally {
      adapter.refund = original;
    }
    const row = await refundRow(refundId);
    expect(row).toMatchObject({ status: 'succeeded', gateway_refund_reference: refundReference });
    expect(
      await eventStatus(
        t,
        'paystack',
        refundEventId('refund.processed', refundReference, 'processed'),
      ),
    ).toBe('processed');

    // the same webhook again is a duplicate at intake
    const duplicate = await paystack.sendWebhook(t.url, webhookEvent ?? {});
    expect(duplicate).toEqual({ status: 200, body: { received: true, duplicate: true } });
    // the same refund reported again under another event id (now with its id) is recognised as ours
    const again = paystackRefundEvent('refund.processed', {
      reference,
      amount: 60_000,
      refundReference,
      id: Number(row.gateway_refund_id),
    });
    expect((await paystack.sendWebhook(t.url, again)).status).toBe(200);
    await waitFor(
      () =>
        eventStatus(
          t,
          'paystack',
          refundEventId('refund.processed', String(row.gateway_refund_id), 'processed'),
        ),
      (s) => s === 'ignored',
    );

    expect((await refundEvents(refundId)).map((e) => e.type)).toEqual(['refund.processed']);
    expect((await refundEvents(refundId))[0].data).toMatchObject({
      id: refundId,
      status: 'succeeded',
      amount: 60_000,
      payment_reference: reference,
    });
    expect(await refundsOf(reference)).toHaveLength(1);
    expect(await payment(alice, reference)).toMatchObject({
      amount_refunded: 60_000,
      refund_status: 'full',
    });
    const got = await api().get(`/api/v1/refunds/${refundId}`).set(alice.authHeader).expect(200);
    expect(got.body).toMatchObject({ status: 'succeeded', completed_at: expect.any(String) });
    await expectLedgerClean();
  });

  it('matches two same-amount Paystack refund webhooks to two different refunds, never one twice', async () => {
    const alice = await person();
    const reference = await paidPayment(alice, 20_000);
    const a = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 10_000 })
      .expect(202);
    const b = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 10_000 })
      .expect(202);
    await acceptedByGateway(a.body.id);
    await acceptedByGateway(b.body.id);
    await Promise.all([
      paystack.sendWebhook(
        t.url,
        paystackRefundEvent('refund.processed', {
          reference,
          amount: 10_000,
          refundReference: 'RRsame1',
        }),
      ),
      paystack.sendWebhook(
        t.url,
        paystackRefundEvent('refund.processed', {
          reference,
          amount: 10_000,
          refundReference: 'RRsame2',
        }),
      ),
    ]);
    const rows = await waitFor(
      () => refundsOf(reference),
      (found) => found.every((row) => row.status === 'succeeded'),
    );
    expect(
      rows
        .map((row) => row.gateway_refund_reference)
        .sort((a, b) => String(a).localeCompare(String(b))),
    ).toEqual(['RRsame1', 'RRsame2']);
    expect(rows).toHaveLength(2);
    expect(await payment(alice, reference)).toMatchObject({
      amount_refunded: 20_000,
      refund_status: 'full',
    });
    await expectLedgerClean();
  });

  it('parks a refund whose Paystack call timed out instead of resending it, until an admin resolves it', async () => {
    const alice = await person();
    const reference = await paidPayment(alice, 30_000);
    paystack.fault = 'hang';
    const before = paystack.callCount('POST /refund');
    const created = await api()
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({})
      .expect(202);
    const parked = await waitFor(
      () => refundRow(created.body.id),
      (row) => row.needs_attention !== null,
    );
    expect(parked).toMatchObject({ status: 'processing', gateway_refund_id: null });
    expect(parked.needs_attention).toMatch(/no idempotency key/);
    paystack.fault = 'ok';
    expect(paystack.callCount('POST /refund')).toBe(before + 1);
    expect(await payment(alice, reference)).toMatchObject({ amount_refunded: 30_000 });

    const listed = await api()
      .get('/api/v1/admin/refunds?needs_attention=true')
      .set(admin.authHeader)
      .expect(200);
    expect(listed.body.refunds.map((r: { id: string }) => r.id)).toContain(created.body.id);
    await api().get('/api/v1/admin/refunds?needs_attention=true').set(alice.authHeader).expect(403);

    // the admin found nothing in the Paystack dashboard: send it again
    const resolved = await api()
      .post(`/api/v1/admin/refunds/${created.body.id}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'resend', note: 'no such refund in the dashboard' })
      .expect(200);
    expect(resolved.body).toMatchObject({ needs_attention: null, status: 'processing' });
    const accepted = await acceptedByGateway(created.body.id);
    expect(accepted.status).toBe('processing');
    expect(paystack.callCount('POST /refund')).toBe(before + 2);
    const [decision] = await sql<{ resolved_by: string; resolution_note: string }>(
      t,
      `SELECT resolved_by, resolution_note FROM refunds WHERE id = $1`,
      [created.body.id],
    );
    expect(decision).toEqual({
      resolved_by: admin.userId,
      resolution_note: 'resend: no such refund in the dashboard',
    });

    const finished = await api()
      .post(`/api/v1/admin/refunds/${created.body.id}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'mark_succeeded', note: 'processed per the dashboard' })
      .expect(200);
    expect(finished.body.status).toBe('succeeded');
    const closed = await api()
      .post(`/api/v1/admin/refunds/${created.body.id}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'mark_failed', note: 'x' })
      .expect(422);
    expect(closed.body.code).toBe('REFUND_NOT_OPEN');
    expect((await refundEvents(created.body.id)).map((e) => e.type)).toEqual(['refund.processed']);
    await expectLedgerClean();
  });

  it('starts a refund of what was received when an admin rejects a payment, without touching the wallet', async () => {
    const alice = await person();
    const created = await createPayment(t, alice.authHeader, {
      amount: 500_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markPaid(created.reference, { amount: 600_000 });
    await api()
      .post(`/api/v1/payments/${created.reference}/verify`)
      .set(alice.authHeader)
      .expect(200);
    const rejected = await api()
      .post(`/api/v1/admin/payments/${created.reference}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'reject', note: 'overpaid; refund it all' })
      .expect(200);
    expect(rejected.body).toMatchObject({
      status: 'failed',
      amount_received: 600_000,
      amount_refunded: 600_000,
      refund_status: 'full',
    });

    const listed = await api()
      .get(`/api/v1/payments/${created.reference}/refunds`)
      .set(alice.authHeader)
      .expect(200);
    expect(listed.body.refunds).toEqual([
      expect.objectContaining({
        amount: 600_000,
        currency: 'NGN',
        initiated_by: 'admin',
        reason: 'payment rejected on review',
      }),
    ]);
    const refundId = listed.body.refunds[0].id as string;
    const accepted = await acceptedByGateway(refundId);
    expect(paystack.refunds.get(Number(accepted.gateway_refund_id))).toMatchObject({
      amount: 600_000,
      transactionReference: created.reference,
    });
    // the owner may not add refunds to a failed payment
    const denied = await api()
      .post(`/api/v1/payments/${created.reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 1 })
      .expect(422);
    expect(denied.body.code).toBe('PAYMENT_NOT_REFUNDABLE');

    // a rejected deposit was never credited: its refund takes nothing from the wallet
    const deposit = await api()
      .post('/api/v1/wallet/deposit')
      .set(alice.authHeader)
      .send({ amount: 50_000 })
      .expect(201);
    paystack.markPaid(deposit.body.reference, { amount: 45_000 });
    await api()
      .post(`/api/v1/payments/${deposit.body.reference}/verify`)
      .set(alice.authHeader)
      .expect(200);
    await api()
      .post(`/api/v1/admin/payments/${deposit.body.reference}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'reject', note: 'short' })
      .expect(200);
    const [depositRefund] = await refundsOf(deposit.body.reference);
    expect(depositRefund).toMatchObject({
      amount: '45000',
      initiated_by: 'admin',
      wallet_debited: false,
    });
    expect(await balance(alice)).toBe(0);
    await expectLedgerClean();
  });
});
