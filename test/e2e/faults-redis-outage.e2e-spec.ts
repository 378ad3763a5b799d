import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { paymentsEnv, paymentStatus, sql, waitFor } from './payments.helpers.js';
import { freePort, type Query, settlementRecord, startRedis, stopChild } from './faults.helpers.js';

const WEBHOOK_LIMIT = 3;

interface Deposit {
  owner: SignedIn;
  gateway: 'paystack' | 'generic';
  reference: string;
  amount: number;
}

/**
 * Redis stopped while webhooks arrive, on a redis-server the test starts on its own port: deposits
 * on two gateways for two users, each webhook sent twice, while the per-gateway webhook limit is
 * far below what arrives. Every request is answered 2xx (stored in Postgres; the limiter fails
 * open), and once Redis is back (empty: it keeps nothing) each deposit settles and is credited
 * exactly once, including the ones whose jobs were in Redis when it died.
 * (webhooks-inbound-redis-outage.e2e-spec.ts covers the single-gateway basics and the answer time.)
 */
describe('Redis stopped while webhooks arrive (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let generic: GenericWebhookSender;
  let redis: ChildProcess;
  let port: number;
  const query: Query = (text, params) => sql(t, text, params);

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    paystack = await new FakePaystack().start();
    generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      env: {
        ...paymentsEnv(paystack, generic.secret),
        REDIS_URL: `redis://127.0.0.1:${port}`,
        THROTTLE_WEBHOOK_LIMIT: String(WEBHOOK_LIMIT),
        THROTTLE_TTL: '60s',
      },
    });
  });

  afterAll(async () => {
    paystack.fault = 'ok';
    if (redis.exitCode !== null || redis.signalCode !== null) redis = await startRedis(port);
    await t?.close();
    await stopChild(redis);
    await paystack?.stop();
  });

  async function startDeposit(
    owner: SignedIn,
    gateway: Deposit['gateway'],
    amount: number,
  ): Promise<Deposit> {
    const res = await request(t.url)
      .post('/api/v1/wallet/deposit')
      .set(owner.authHeader)
      .send({ amount, gateway })
      .expect(201);
    return { owner, gateway, reference: res.body.reference as string, amount };
  }

  /** Sends the deposit's webhook as its gateway would (the same event id every time). */
  async function sendWebhook(deposit: Deposit): Promise<{ status: number; duplicate: boolean }> {
    let body: string;
    let headers: Record<string, string>;
    if (deposit.gateway === 'paystack') {
      body = JSON.stringify(paystack.chargeSuccessEvent(deposit.reference));
      headers = { 'content-type': 'application/json', 'x-paystack-signature': paystack.sign(body) };
    } else {
      body = JSON.stringify({
        transaction_id: deposit.reference,
        status: 'completed',
        amount: deposit.amount,
        currency: 'NGN',
      });
      headers = generic.headers(body, { id: `msg_${deposit.reference}` });
    }
    const response = await fetch(`${t.url}/api/v1/webhooks/${deposit.gateway}`, {
      method: 'POST',
      headers,
      body,
      // Hanging on the dead Redis is a failure of its own: abort (and fail) instead of waiting.
      signal: AbortSignal.timeout(5_000),
    });
    const answer = (await response.json()) as { duplicate?: boolean };
    return { status: response.status, duplicate: answer.duplicate === true };
  }

  async function balance(owner: SignedIn): Promise<number> {
    return (await request(t.url).get('/api/v1/wallet/balance').set(owner.authHeader).expect(200))
      .body.balance as number;
  }

  it('answers every webhook 2xx while Redis is down (limiter open) and credits each deposit exactly once after it returns', async () => {
    const alice = await signIn(t, 'alice@example.com');
    const bob = await signIn(t, 'bob@example.com');

    // With Redis up the webhook limiter counts (verified webhooks: one signed event, resent): the
    // request over the limit is refused.
    const probe = JSON.stringify({
      transaction_id: 'PAY-LIMIT-PROBE',
      status: 'completed',
      amount: 100,
      currency: 'NGN',
    });
    const probeHeaders = generic.headers(probe, { id: 'msg_limit_probe' });
    const postProbe = () =>
      fetch(`${t.url}/api/v1/webhooks/generic`, {
        method: 'POST',
        headers: probeHeaders,
        body: probe,
      }).then((response) => response.status);
    for (let i = 0; i < WEBHOOK_LIMIT; i++) expect(await postProbe()).toBe(200);
    expect(await postProbe()).toBe(429);

    const inFlight = [
      await startDeposit(alice, 'paystack', 7_000),
      await startDeposit(bob, 'paystack', 8_000),
    ];
    const later: Deposit[] = [];
    for (const [i, owner] of [alice, bob, alice, bob, alice, bob].entries()) {
      later.push(await startDeposit(owner, i % 3 === 2 ? 'generic' : 'paystack', 1_000 * (i + 1)));
    }
    for (const deposit of later)
      if (deposit.gateway === 'paystack') paystack.markPaid(deposit.reference);

    // Two deposits whose jobs are in Redis when it dies: Paystack is failing, so they keep retrying.
    paystack.fault = 'error500';
    const verifiesBefore = paystack.callCount('GET /transaction/verify');
    for (const deposit of inFlight) {
      paystack.markPaid(deposit.reference);
      expect(await sendWebhook(deposit)).toEqual({ status: 200, duplicate: false });
    }
    await waitFor(
      async () => paystack.callCount('GET /transaction/verify') - verifiesBefore,
      (calls) => calls >= 2,
    );

    await stopChild(redis);
    paystack.fault = 'ok';
    const outage = [...later, ...inFlight];
    for (const deposit of outage) {
      const first = await sendWebhook(deposit);
      const again = await sendWebhook(deposit);
      expect({ reference: deposit.reference, first, again }).toEqual({
        reference: deposit.reference,
        first: { status: 200, duplicate: !later.includes(deposit) },
        again: { status: 200, duplicate: true },
      });
    }
    // Far more Paystack webhooks than the limit were answered 200: the limiter failed open.
    expect(outage.filter((d) => d.gateway === 'paystack').length * 2).toBeGreaterThan(
      WEBHOOK_LIMIT,
    );
    // Nothing settles without Redis, and everything is safe in Postgres.
    const stored = await sql<{ status: string }>(
      t,
      `SELECT status FROM inbound_webhook_events WHERE reference = ANY($1)`,
      [outage.map((d) => d.reference)],
    );
    expect(stored).toHaveLength(outage.length);
    for (const deposit of outage) expect(await paymentStatus(t, deposit.reference)).toBe('pending');
    expect(await balance(alice)).toBe(0);

    redis = await startRedis(port);
    for (const deposit of outage) {
      await waitFor(
        () => paymentStatus(t, deposit.reference),
        (status) => status === 'succeeded',
        30_000,
      );
    }
    await waitFor(
      () =>
        sql<{ status: string }>(
          t,
          `SELECT DISTINCT status FROM inbound_webhook_events WHERE reference = ANY($1)`,
          [outage.map((d) => d.reference)],
        ),
      (rows) => rows.length === 1 && rows[0].status === 'processed',
    );

    for (const deposit of outage) {
      expect({
        reference: deposit.reference,
        ...(await settlementRecord(query, deposit.reference)),
      }).toEqual({
        reference: deposit.reference,
        transitions: [{ from_status: 'pending', to_status: 'succeeded' }],
        events: ['payment.success', 'wallet.deposit.success'],
        credits: 1,
      });
    }
    const sum = (owner: SignedIn): number =>
      outage.filter((d) => d.owner === owner).reduce((total, d) => total + d.amount, 0);
    expect(await balance(alice)).toBe(sum(alice));
    expect(await balance(bob)).toBe(sum(bob));
    const check = await t.get<LedgerCheckService>(LedgerCheckService).run();
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
  });
});
