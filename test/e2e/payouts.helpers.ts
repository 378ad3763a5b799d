import request from 'supertest';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import type { SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/test-env.js';
import { sql } from './payments.helpers.js';

/** A documented Paystack sample account (test/fakes/fake-paystack.ts DOCUMENTED_ACCOUNTS). */
export const PAYSTACK_ACCOUNT = { bank_code: '058', account_number: '0001234567' };

/** Payout env: fast job retries, verification on demand, no reconciliation unless a test asks. */
export const PAYOUT_ENV: Record<string, string> = {
  PAYOUT_BACKOFF: '200ms',
  PAYOUT_ATTEMPTS: '3',
  PAYOUT_RECONCILE_INTERVAL: '1h',
  PAYOUT_VERIFY_INTERVAL: '100ms',
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  WEBHOOK_RETRY_SCHEDULE: '0,1,1',
};

export interface PayoutView {
  id: string;
  reference: string;
  amount: number;
  currency: string;
  status: string;
  failure_reason: string | null;
  recipient: { id: string; account_number_last4: string };
}

export { walletBalance as balance, paystackDeposit as fund } from './payments.helpers.js';

export async function createRecipient(
  t: TestApp,
  p: SignedIn,
  body: Record<string, unknown> = {},
): Promise<{ id: string; account_number_last4: string; account_name: string }> {
  const res = await request(t.url)
    .post('/api/v1/payout-recipients')
    .set(p.authHeader)
    .send({
      gateway: 'paystack',
      type: 'bank_account',
      currency: 'NGN',
      ...PAYSTACK_ACCOUNT,
      ...body,
    });
  if (res.status !== 201)
    throw new Error(`creating a recipient failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function withdraw(
  t: TestApp,
  p: SignedIn,
  body: { amount: number; recipient_id: string; narration?: string },
  idempotencyKey?: string,
): Promise<request.Response> {
  const req = request(t.url).post('/api/v1/wallet/withdrawals').set(p.authHeader);
  if (idempotencyKey) req.set('Idempotency-Key', idempotencyKey);
  return req.send(body);
}

export async function payout(t: TestApp, p: SignedIn, id: string): Promise<PayoutView> {
  return (
    await request(t.url).get(`/api/v1/wallet/withdrawals/${id}`).set(p.authHeader).expect(200)
  ).body as PayoutView;
}

export async function payoutRow(
  t: TestApp,
  id: string,
): Promise<{ status: string; send_attempts: number; gateway_transfer_id: string | null }> {
  const [row] = await sql<{
    status: string;
    send_attempts: number;
    gateway_transfer_id: string | null;
  }>(t, `SELECT status, send_attempts, gateway_transfer_id FROM payouts WHERE id = $1`, [id]);
  return row;
}

/** The ledger transfers of one payout, by kind. */
export async function payoutPostings(t: TestApp, reference: string): Promise<string[]> {
  const rows = await sql<{ kind: string }>(
    t,
    `SELECT kind FROM ledger_transfers WHERE reference LIKE $1 || '%' ORDER BY created_at, kind`,
    [reference],
  );
  return rows.map((row) => row.kind);
}

export async function expectLedgerClean(t: TestApp): Promise<void> {
  const report = await t.get<LedgerCheckService>(LedgerCheckService).run();
  expect(report.problems).toEqual([]);
}
