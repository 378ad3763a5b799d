import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { paymentsEnv, paymentStatus, sql, transitions, waitFor } from './payments.helpers.js';
import { type Query, settlementRecord } from './faults.helpers.js';

/**
 * A gateway that accepts the connection and never answers, past GATEWAY_TIMEOUT (1.5 s here), on
 * the paths the other suites do not hang: reconciliation (the only path that settles a payment
 * whose webhook never comes) and the on-demand verify and payer-callback routes. Hangs on the
 * inbound-webhook job path are covered by webhooks-inbound.e2e-spec.ts (Paystack) and the
 * gateway-{stripe,flutterwave,paypal} suites; refund calls that time out by refunds*.e2e-spec.ts.
 */
describe('a gateway hanging past its timeout (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let alice: SignedIn;
  const query: Query = (text, params) => sql(t, text, params);

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    t = await createTestApp({
      env: paymentsEnv(paystack, GenericWebhookSender.newSecret(), {
        RECONCILE_INTERVAL: '300ms',
        RECONCILE_MIN_AGE: '0s',
      }),
    });
    alice = await signIn(t, 'alice@example.com');
  });

  afterAll(async () => {
    paystack.fault = 'ok';
    await t?.close();
    await paystack?.stop();
  });

  async function startDeposit(amount: number): Promise<string> {
    const res = await fetch(`${t.url}/api/v1/wallet/deposit`, {
      method: 'POST',
      headers: { ...alice.authHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ amount }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { reference: string }).reference;
  }

  const verifyCalls = (): number => paystack.callCount('GET /transaction/verify');

  it('keeps reconciling a paid deposit whose verify calls hang, and credits it once when the gateway answers again', async () => {
    const reference = await startDeposit(31_000);
    paystack.markPaid(reference);
    paystack.fault = 'hang';
    try {
      const before = verifyCalls();
      // Several reconciliation runs each ask, time out, and leave the payment to the next run.
      await waitFor(
        async () => verifyCalls() - before,
        (calls) => calls >= 3,
      );
      expect(await paymentStatus(t, reference)).toBe('pending');
    } finally {
      paystack.fault = 'ok';
    }
    await waitFor(
      () => paymentStatus(t, reference),
      (status) => status === 'succeeded',
    );
    expect(await transitions(t, reference)).toEqual([
      { from_status: 'pending', to_status: 'succeeded', source: 'reconcile' },
    ]);
    expect(await settlementRecord(query, reference)).toEqual({
      transitions: [{ from_status: 'pending', to_status: 'succeeded' }],
      events: ['payment.success', 'wallet.deposit.success'],
      credits: 1,
    });
    expect((await t.get<LedgerCheckService>(LedgerCheckService).run()).ok).toBe(true);
  });

  it('answers verify with 503 GATEWAY_UNAVAILABLE and still sends the payer back while the gateway hangs; the deposit settles later', async () => {
    const reference = await startDeposit(32_000);
    paystack.markPaid(reference);
    paystack.fault = 'hang';
    try {
      // Not answering is the failure here: the client gives up (and the test fails) after 10 s.
      const verify = await fetch(`${t.url}/api/v1/payments/${reference}/verify`, {
        method: 'POST',
        headers: alice.authHeader,
        signal: AbortSignal.timeout(10_000),
      });
      expect(verify.status).toBe(503);
      const body = (await verify.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        status_code: 503,
        code: 'GATEWAY_UNAVAILABLE',
        request_id: verify.headers.get('x-request-id'),
      });

      const callback = await fetch(`${t.url}/api/v1/payments/callback?reference=${reference}`, {
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      expect(callback.status).toBe(302);
      const location = new URL(callback.headers.get('location') ?? '');
      expect(Object.fromEntries(location.searchParams)).toEqual({ reference, status: 'pending' });
      expect(await paymentStatus(t, reference)).toBe('pending');
    } finally {
      paystack.fault = 'ok';
    }

    await waitFor(
      () => paymentStatus(t, reference),
      (status) => status === 'succeeded',
    );
    expect(await settlementRecord(query, reference)).toEqual({
      transitions: [{ from_status: 'pending', to_status: 'succeeded' }],
      events: ['payment.success', 'wallet.deposit.success'],
      credits: 1,
    });
    const [wallet] = await sql<{ balance: string }>(
      t,
      `SELECT balance FROM ledger_accounts WHERE user_id = $1`,
      [alice.userId],
    );
    expect(Number(wallet.balance)).toBe(31_000 + 32_000);
    expect((await t.get<LedgerCheckService>(LedgerCheckService).run()).ok).toBe(true);
  });
});
