import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Payment } from '../../src/modules/payments/payment.entity.js';
import { PaymentRows } from '../../src/modules/payments/settlement/payment-rows.js';
import {
  type PaymentVersion,
  SettlementService,
} from '../../src/modules/payments/settlement/settlement.service.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { dataSource, paymentEvents, paymentsEnv, sql, transitions } from './payments.helpers.js';

/**
 * Webhook jobs hand settlement the payment row they read before asking the gateway, with its row
 * version, and a transition decided on it is written only if the row is still that version when
 * the UPDATE holds the row lock. These tests take such a snapshot, change the row behind its back,
 * and check that the settlement then decides again on the row read under lock.
 */
describe('settlement from a payment read before the gateway call (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let settlement: SettlementService;
  let rows: PaymentRows;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    t = await createTestApp({
      env: paymentsEnv(paystack, GenericWebhookSender.newSecret()),
    });
    settlement = t.get(SettlementService);
    rows = t.get<PaymentRows>(PaymentRows);
  });

  afterAll(async () => {
    await t?.close();
    await paystack?.stop();
  });

  const person = (): Promise<SignedIn> => signIn(t, `v-${randomUUID()}@example.com`);

  async function startDeposit(p: SignedIn, amount: number): Promise<Payment> {
    const res = await request(t.url)
      .post('/api/v1/wallet/deposit')
      .set(p.authHeader)
      .send({ amount, callback_url: 'https://app.example.com/wallet/done' })
      .expect(201);
    return dataSource(t)
      .getRepository(Payment)
      .findOneByOrFail({ reference: res.body.reference as string });
  }

  /** The row as the webhook job's claim reads it. */
  async function snapshot(paymentId: string): Promise<PaymentVersion> {
    const [row] = await sql<{ payment: Record<string, unknown>; version: string }>(
      t,
      `SELECT to_json(p) AS payment, p.xmin::text AS version FROM payments p WHERE p.id = $1`,
      [paymentId],
    );
    return { payment: rows.fromJson(row.payment), version: row.version };
  }

  async function credits(paymentId: string): Promise<number> {
    const [row] = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM ledger_transfers WHERE key = $1`,
      [`deposit:${paymentId}`],
    );
    return row.n;
  }

  it('reads a payment row exactly as TypeORM loads the entity, before and after it settles', async () => {
    const p = await person();
    const payment = await startDeposit(p, 12_345);
    expect((await snapshot(payment.id)).payment).toEqual(payment);

    paystack.markPaid(payment.reference);
    await settlement.settle(payment.id, { source: 'verify' });
    const settled = await dataSource(t).getRepository(Payment).findOneByOrFail({ id: payment.id });
    expect(settled.status).toBe('succeeded');
    expect((await snapshot(payment.id)).payment).toEqual(settled);
  });

  it('does not settle again from a snapshot taken before another settler moved the payment', async () => {
    const p = await person();
    const payment = await startDeposit(p, 20_000);
    paystack.markPaid(payment.reference);
    const stale = await snapshot(payment.id);

    const first = await settlement.settle(payment.id, { source: 'verify' });
    expect(first).toMatchObject({ changed: true, from: 'pending', to: 'succeeded' });

    // The snapshot still says pending; Paystack says paid; the row under lock says succeeded.
    const second = await settlement.settle(payment.id, {
      source: 'webhook',
      snapshot: stale,
      report: {
        status: 'succeeded',
        reference: payment.reference,
        amount: 20_000,
        currency: 'NGN',
      },
    });

    expect(second).toMatchObject({ changed: false, from: 'succeeded', to: 'succeeded' });
    expect(await transitions(t, payment.reference)).toEqual([
      { from_status: 'pending', to_status: 'succeeded', source: 'verify' },
    ]);
    expect(await paymentEvents(t, payment.reference)).toEqual([{ type: 'payment.success' }]);
    expect(await credits(payment.id)).toBe(1);
  });

  it('decides again on the row read under lock when the row changed since the snapshot', async () => {
    const p = await person();
    const payment = await startDeposit(p, 30_000);
    paystack.markPaid(payment.reference);
    const stale = await snapshot(payment.id);
    // A change that still allows the transition, made after the snapshot was read.
    await sql(
      t,
      `UPDATE payments SET callback_url = 'https://app.example.com/changed', updated_at = now() WHERE id = $1`,
      [payment.id],
    );

    const outcome = await settlement.settle(payment.id, { source: 'webhook', snapshot: stale });

    expect(outcome).toMatchObject({ changed: true, from: 'pending', to: 'succeeded' });
    expect(outcome.payment.callbackUrl).toBe('https://app.example.com/changed');
    const [event] = await sql<{ data: { status: string; callback_url: string } }>(
      t,
      `SELECT data FROM events WHERE type = 'payment.success' AND data->>'reference' = $1`,
      [payment.reference],
    );
    expect(event.data).toMatchObject({
      status: 'succeeded',
      callback_url: 'https://app.example.com/changed',
    });
    expect(await transitions(t, payment.reference)).toEqual([
      { from_status: 'pending', to_status: 'succeeded', source: 'webhook' },
    ]);
    expect(await credits(payment.id)).toBe(1);
  });

  it('settles once from a current snapshot, writing what it decided on', async () => {
    const p = await person();
    const payment = await startDeposit(p, 41_000);
    paystack.markPaid(payment.reference);

    const outcome = await settlement.settle(payment.id, {
      source: 'webhook',
      snapshot: await snapshot(payment.id),
    });

    expect(outcome).toMatchObject({ changed: true, from: 'pending', to: 'succeeded' });
    const stored = await dataSource(t).getRepository(Payment).findOneByOrFail({ id: payment.id });
    expect(outcome.payment).toEqual(stored);
    expect(stored).toMatchObject({ amountReceived: 41_000, gatewayPaymentId: expect.any(String) });
    expect(await paymentEvents(t, payment.reference)).toEqual([{ type: 'payment.success' }]);
    expect(await credits(payment.id)).toBe(1);
    const [{ balance }] = await sql<{ balance: string }>(
      t,
      `SELECT balance FROM ledger_accounts WHERE user_id = $1 AND kind = 'user_wallet'`,
      [payment.userId],
    );
    expect(Number(balance)).toBe(41_000);
  });

  it('leaves a clean ledger behind', async () => {
    const check = await t.get<LedgerCheckService>(LedgerCheckService).run();
    expect(check.problems).toEqual([]);
  });
});
