import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import { ReconciliationService } from '../../src/modules/payments/reconciliation/reconciliation.service.js';
import type { FakePaystack } from '../fakes/fake-paystack.js';
import type { SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/test-env.js';

/** Short gateway timeout, fast inbound retries and sweeps, and no reconciliation during a test. */
export const FAST_INBOUND_ENV: Record<string, string> = {
  FRONTEND_CALLBACK_URL: 'https://app.example.com/payments/done',
  GATEWAY_TIMEOUT: '1500ms',
  INBOUND_WEBHOOK_BACKOFF: '100ms',
  INBOUND_WEBHOOK_UNMATCHED_WINDOW: '1500ms',
  INBOUND_WEBHOOK_SWEEP_INTERVAL: '500ms',
  RECONCILE_INTERVAL: '1h',
};

/** Env for an app wired to a fake Paystack and a generic secret, with fast retries and sweeps. */
export function paymentsEnv(
  fake: FakePaystack,
  genericSecret: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PAYSTACK_SECRET_KEY: fake.secretKey,
    PAYSTACK_BASE_URL: fake.url,
    GENERIC_WEBHOOK_SECRET: genericSecret,
    GENERIC_CHECKOUT_URL: 'https://checkout.generic.example/pay',
    ...FAST_INBOUND_ENV,
    RECONCILE_MIN_AGE: '5m',
    ...extra,
  };
}

export function dataSource(t: TestApp): DataSource {
  return t.get<DataSource>(getDataSourceToken());
}

export async function sql<T = Record<string, unknown>>(
  t: TestApp,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  return dataSource(t).query<T[]>(text, params);
}

/** Polls until `predicate` holds (or fails with the last value seen). */
export async function waitFor<T>(
  read: () => Promise<T>,
  predicate: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!predicate(last)) {
    if (Date.now() > deadline)
      throw new Error(
        `condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

export async function paymentStatus(t: TestApp, reference: string): Promise<string> {
  const rows = await sql<{ status: string }>(
    t,
    `SELECT status FROM payments WHERE reference = $1`,
    [reference],
  );
  return rows[0]?.status ?? 'missing';
}

export async function eventStatus(t: TestApp, gateway: string, eventId: string): Promise<string> {
  const rows = await sql<{ status: string }>(
    t,
    `SELECT status FROM inbound_webhook_events WHERE gateway = $1 AND event_id = $2`,
    [gateway, eventId],
  );
  return rows[0]?.status ?? 'missing';
}

/** Outbox rows (payment.success / payment.failed) recorded for a payment. */
export async function paymentEvents(t: TestApp, reference: string): Promise<{ type: string }[]> {
  return sql<{ type: string }>(
    t,
    `SELECT type FROM events WHERE data->>'reference' = $1 AND type LIKE 'payment.%' ORDER BY created_at`,
    [reference],
  );
}

export async function transitions(
  t: TestApp,
  reference: string,
): Promise<{ from_status: string; to_status: string; source: string }[]> {
  return sql(
    t,
    `SELECT a.from_status, a.to_status, a.source FROM payment_audit_entries a JOIN payments p ON p.id = a.payment_id
      WHERE p.reference = $1 AND a.action = 'transition' ORDER BY a.id`,
    [reference],
  );
}

export async function walletBalance(t: TestApp, p: SignedIn): Promise<number> {
  return (await request(t.url).get('/api/v1/wallet/balance').set(p.authHeader).expect(200)).body
    .balance as number;
}

/**
 * Credits the wallet through a real Paystack deposit: initialize, the fake marks it paid, verify;
 * the balance must then have grown by exactly `amount`. Returns the deposit's reference.
 */
export async function paystackDeposit(
  t: TestApp,
  paystack: FakePaystack,
  p: SignedIn,
  amount: number,
): Promise<string> {
  const before = await walletBalance(t, p);
  const res = await request(t.url)
    .post('/api/v1/wallet/deposit')
    .set(p.authHeader)
    .send({ amount, gateway: 'paystack' })
    .expect(201);
  const reference = res.body.reference as string;
  paystack.markPaid(reference);
  await request(t.url).post(`/api/v1/payments/${reference}/verify`).set(p.authHeader).expect(200);
  expect(await walletBalance(t, p)).toBe(before + amount);
  return reference;
}

/** Makes the payment due, as if its verify interval had passed, and runs one reconciliation pass. */
export async function reconcileDue(t: TestApp, reference: string): Promise<void> {
  await sql(
    t,
    `UPDATE payments SET next_verify_at = now() - interval '1 second' WHERE reference = $1`,
    [reference],
  );
  await t.get<ReconciliationService>(ReconciliationService).reconcileOnce();
}

export async function createPayment(
  t: TestApp,
  auth: { Authorization: string },
  body: Record<string, unknown>,
): Promise<{
  reference: string;
  amount: number;
  currency: string;
  status: string;
  authorization_url: string;
}> {
  const res = await request(t.url)
    .post('/api/v1/payments')
    .set(auth)
    .send({ email: 'payer@example.com', ...body });
  if (res.status !== 201)
    throw new Error(`creating a payment failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Attempts and last error of a stored inbound webhook event (zero attempts if not stored). */
export async function inboundEvent(
  t: TestApp,
  gateway: string,
  eventId: string,
): Promise<{ attempts: number; last_error: string | null }> {
  const rows = await sql<{ attempts: number; last_error: string | null }>(
    t,
    `SELECT attempts, last_error FROM inbound_webhook_events WHERE gateway = $1 AND event_id = $2`,
    [gateway, eventId],
  );
  return rows[0] ?? { attempts: 0, last_error: null };
}
