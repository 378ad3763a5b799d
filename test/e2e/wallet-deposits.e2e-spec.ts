import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ReconciliationService } from '../../src/modules/payments/reconciliation/reconciliation.service.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { createApiKey, signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { paymentsEnv, paymentStatus, sql, waitFor } from './payments.helpers.js';

describe('wallet deposits (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let admin: SignedIn;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    const generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    // Reconciliation looks at a payment as soon as it exists, so it can join the race.
    t = await createTestApp({
      env: paymentsEnv(paystack, generic.secret, { RECONCILE_MIN_AGE: '0s' }),
    });
    admin = await signIn(t, 'admin@example.com');
  });

  afterAll(async () => {
    await t?.close();
    await paystack?.stop();
  });

  const api = (): ReturnType<typeof request> => request(t.url);
  const person = (): Promise<SignedIn> => signIn(t, `d-${randomUUID()}@example.com`);

  async function balance(p: SignedIn): Promise<number> {
    return (await api().get('/api/v1/wallet/balance').set(p.authHeader).expect(200)).body
      .balance as number;
  }

  async function startDeposit(
    p: SignedIn,
    amount: number,
  ): Promise<{ reference: string; authorization_url: string }> {
    const res = await api()
      .post('/api/v1/wallet/deposit')
      .set(p.authHeader)
      .send({ amount })
      .expect(201);
    return res.body;
  }

  async function depositTransfers(reference: string): Promise<number> {
    const rows = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM ledger_transfers t JOIN payments p ON t.key = 'deposit:' || p.id::text
        WHERE p.reference = $1`,
      [reference],
    );
    return rows[0].n;
  }

  it('starts a Paystack deposit in the wallet currency and answers the SPEC shape', async () => {
    const p = await person();
    const res = await api()
      .post('/api/v1/wallet/deposit')
      .set(p.authHeader)
      .send({ amount: 250_000, callback_url: 'https://app.example.com/wallet/done' })
      .expect(201);
    expect(res.body).toEqual({
      reference: expect.stringMatching(/^PAY-\d{14}-[A-Z0-9]{8}$/),
      authorization_url: `${paystack.url}/checkout/${paystack.transaction(res.body.reference).accessCode}`,
      amount: 250_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    const [payment] = await sql<{ purpose: string; callback_url: string; email: string }>(
      t,
      `SELECT purpose, callback_url, email FROM payments WHERE reference = $1`,
      [res.body.reference],
    );
    expect(payment).toEqual({
      purpose: 'wallet_deposit',
      callback_url: 'https://app.example.com/wallet/done',
      email: expect.stringMatching(/^d-.*@example\.com$/),
    });
  });

  it('reports the status without ever crediting, even when the gateway has the money', async () => {
    const p = await person();
    const { reference } = await startDeposit(p, 10_000);
    paystack.markPaid(reference);
    for (let i = 0; i < 3; i++) {
      const res = await api()
        .get(`/api/v1/wallet/deposit/${reference}/status`)
        .set(p.authHeader)
        .expect(200);
      expect(res.body).toEqual({
        reference,
        status: 'pending',
        amount: 10_000,
        currency: 'NGN',
        gateway: 'paystack',
      });
    }
    expect(await balance(p)).toBe(0);
    expect(await depositTransfers(reference)).toBe(0);
  });

  it('credits the wallet exactly once when webhooks, verify calls and reconciliation race', async () => {
    const p = await person();
    const amount = 73_500;
    const { reference } = await startDeposit(p, amount);
    paystack.markPaid(reference);
    const event = paystack.chargeSuccessEvent(reference);
    const reconciliation = t.get<ReconciliationService>(ReconciliationService);

    const racers: Promise<unknown>[] = [];
    for (let i = 0; i < 4; i++) {
      racers.push(paystack.sendWebhook(t.url, event));
      racers.push(
        fetch(`${t.url}/api/v1/payments/${reference}/verify`, {
          method: 'POST',
          headers: p.authHeader,
        }),
      );
      racers.push(reconciliation.reconcileOnce());
      racers.push(
        fetch(`${t.url}/api/v1/wallet/deposit/${reference}/status`, { headers: p.authHeader }),
      );
    }
    await Promise.all(racers);
    // The queued webhook job may still be running: wait until every stored event is processed.
    await waitFor(
      () =>
        sql<{ pending: number }>(
          t,
          `SELECT count(*)::int AS pending FROM inbound_webhook_events WHERE status IN ('received', 'processing')`,
        ),
      (rows) => rows[0].pending === 0,
    );
    await waitFor(
      () => paymentStatus(t, reference),
      (status) => status === 'succeeded',
    );

    expect(await balance(p)).toBe(amount);
    expect(await depositTransfers(reference)).toBe(1);
    const events = await sql<{ type: string; data: Record<string, unknown> }>(
      t,
      `SELECT type, data FROM events WHERE type = 'wallet.deposit.success' AND data->>'reference' = $1`,
      [reference],
    );
    expect(events).toHaveLength(1);
    const history = await api().get('/api/v1/wallet/transactions').set(p.authHeader).expect(200);
    expect(history.body.transactions).toEqual([events[0].data]);
    expect(history.body.transactions[0]).toMatchObject({
      type: 'deposit',
      amount,
      balance_after: amount,
      reference,
      status: 'success',
    });

    const status = await api()
      .get(`/api/v1/wallet/deposit/${reference}/status`)
      .set(p.authHeader)
      .expect(200);
    expect(status.body.status).toBe('succeeded');
    // One more webhook after the fact changes nothing.
    await paystack.sendWebhook(t.url, event);
    await api().post(`/api/v1/payments/${reference}/verify`).set(p.authHeader).expect(200);
    expect(await balance(p)).toBe(amount);
  });

  it('credits what the gateway received when an admin accepts a short payment', async () => {
    const p = await person();
    const { reference } = await startDeposit(p, 50_000);
    paystack.markPaid(reference, { amount: 45_000 });
    await api().post(`/api/v1/payments/${reference}/verify`).set(p.authHeader).expect(200);
    expect(await paymentStatus(t, reference)).toBe('needs_review');
    expect(await balance(p)).toBe(0);
    await api()
      .post(`/api/v1/admin/payments/${reference}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'accept', note: 'short but real' })
      .expect(200);
    expect(await balance(p)).toBe(45_000);
  });

  it('validates the request and refuses a gateway that is not configured', async () => {
    const p = await person();
    for (const body of [
      { amount: 0 },
      { amount: 1.5 },
      { amount: '100' },
      { amount: 100, gateway: 'bitcoin' },
      { amount: 100, callback_url: 'not a url' },
    ]) {
      const res = await api()
        .post('/api/v1/wallet/deposit')
        .set(p.authHeader)
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const disabled = await api()
      .post('/api/v1/wallet/deposit')
      .set(p.authHeader)
      .send({ amount: 100, gateway: 'stripe' })
      .expect(422);
    expect(disabled.body.code).toBe('GATEWAY_DISABLED');
  });

  it("answers 404 for another user's deposit and for a payment that is not a deposit", async () => {
    const owner = await person();
    const stranger = await person();
    const { reference } = await startDeposit(owner, 1_000);
    await api()
      .get(`/api/v1/wallet/deposit/${reference}/status`)
      .set(stranger.authHeader)
      .expect(404);
    const payment = await api()
      .post('/api/v1/payments')
      .set(owner.authHeader)
      .send({ amount: 1_000, currency: 'NGN', email: 'payer@example.com', gateway: 'paystack' })
      .expect(201);
    await api()
      .get(`/api/v1/wallet/deposit/${payment.body.reference}/status`)
      .set(owner.authHeader)
      .expect(404);
  });

  it('needs the deposit permission for API keys and replays an idempotent start', async () => {
    const p = await person();
    const readKey = await createApiKey(t, p.token, ['read']);
    const depositKey = await createApiKey(t, p.token, ['deposit']);
    await api()
      .post('/api/v1/wallet/deposit')
      .set('x-api-key', readKey)
      .send({ amount: 100 })
      .expect(403);
    const key = randomUUID();
    const first = await api()
      .post('/api/v1/wallet/deposit')
      .set('x-api-key', depositKey)
      .set('Idempotency-Key', key)
      .send({ amount: 100 })
      .expect(201);
    const again = await api()
      .post('/api/v1/wallet/deposit')
      .set('x-api-key', depositKey)
      .set('Idempotency-Key', key)
      .send({ amount: 100 })
      .expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const rows = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM payments WHERE user_id = $1`,
      [p.userId],
    );
    expect(rows[0].n).toBe(1);
    await api()
      .get(`/api/v1/wallet/deposit/${first.body.reference}/status`)
      .set('x-api-key', depositKey)
      .expect(200);
  });

  it('leaves a clean ledger behind', async () => {
    const report = await t.get<LedgerCheckService>(LedgerCheckService).run();
    expect(report.problems).toEqual([]);
  });
});
