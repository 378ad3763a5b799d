import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { PayoutExecutionService } from '../../src/modules/payouts/payout-execution.service.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { PayoutReconciliationService } from '../../src/modules/payouts/payout-reconciliation.service.js';
import { PayoutTransitionsService } from '../../src/modules/payouts/payout-transitions.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { verifyWebhook, WebhookReceiver } from '../fakes/webhook-receiver.js';
import { createApiKey, signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { paymentsEnv, sql, waitFor } from './payments.helpers.js';
import {
  balance,
  createRecipient,
  expectLedgerClean,
  fund,
  payout,
  PAYOUT_ENV,
  payoutPostings,
  payoutRow,
  withdraw,
} from './payouts.helpers.js';

describe('payouts (e2e, Paystack)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let receiver: WebhookReceiver;
  let admin: SignedIn;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    receiver = await new WebhookReceiver().start();
    const generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      env: paymentsEnv(paystack, generic.secret, {
        ...PAYOUT_ENV,
        PAYOUT_MIN_AMOUNT: '1000',
        PAYOUT_DAILY_LIMIT: '5000000',
        PAYOUT_APPROVAL_THRESHOLD: '1000000',
      }),
    });
    paystack.appUrl = t.url;
    admin = await signIn(t, 'admin@example.com');
  });

  afterEach(async () => {
    paystack.transferOtp = false;
    paystack.clearTransferFaults();
    await expectLedgerClean(t);
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await paystack?.stop();
  });

  const person = (): Promise<SignedIn> => signIn(t, `po-${randomUUID()}@example.com`);

  async function funded(amount: number): Promise<{ p: SignedIn; recipientId: string }> {
    const p = await person();
    await fund(t, paystack, p, amount);
    const recipient = await createRecipient(t, p);
    return { p, recipientId: recipient.id };
  }

  /** Waits until the job has handed the transfer to the fake (it is recorded there). */
  async function sentToGateway(reference: string): Promise<void> {
    await waitFor(
      async () => paystack.findTransfer(reference.toLowerCase()),
      (transfer) => transfer !== undefined,
    );
  }

  async function settledAs(p: SignedIn, id: string, status: string): Promise<void> {
    await waitFor(
      () => payout(t, p, id),
      (view) => view.status === status,
    );
  }

  it('resolves the account, keeps only its last 4 digits in view, and refuses one it cannot resolve', async () => {
    const p = await person();
    const recipient = await createRecipient(t, p, { nickname: 'Salary' });
    expect(recipient).toMatchObject({
      account_name: 'Doe Jane Loren',
      account_number_last4: '4567',
      bank_code: '058',
      currency: 'NGN',
      nickname: 'Salary',
    });
    expect(JSON.stringify(recipient)).not.toContain('0001234567');
    const [stored] = await sql<{ account_number: string }>(
      t,
      `SELECT account_number FROM payout_recipients WHERE id = $1`,
      [recipient.id],
    );
    expect(stored.account_number).toMatch(/^enc:v1:/);
    expect(stored.account_number).not.toContain('0001234567');

    const refused = await request(t.url)
      .post('/api/v1/payout-recipients')
      .set(p.authHeader)
      .send({
        gateway: 'paystack',
        type: 'bank_account',
        currency: 'NGN',
        bank_code: '058',
        account_number: '0000000000',
      })
      .expect(422);
    expect(refused.body.code).toBe('ACCOUNT_NOT_RESOLVED');
    const list = await request(t.url)
      .get('/api/v1/payout-recipients')
      .set(p.authHeader)
      .expect(200);
    expect(list.body.recipients.map((r: { id: string }) => r.id)).toEqual([recipient.id]);
  });

  it('lists banks from the gateway', async () => {
    const p = await person();
    const res = await request(t.url)
      .get('/api/v1/banks?gateway=paystack&currency=NGN')
      .set(p.authHeader)
      .expect(200);
    expect(res.body.banks.length).toBeGreaterThan(0);
    expect(res.body.banks[0]).toEqual({
      code: expect.any(String),
      name: expect.any(String),
      type: expect.any(String),
    });
  });

  it('answers 202 with the balance already down, then succeeds on the verified webhook and delivers a verifying payout.succeeded', async () => {
    const { p, recipientId } = await funded(100_000);
    const endpoint = await request(t.url)
      .post('/api/v1/webhook-endpoints')
      .set(p.authHeader)
      .send({ url: `${receiver.url}/payouts`, events: ['payout.succeeded'] })
      .expect(201);

    const res = await withdraw(t, p, {
      amount: 40_000,
      recipient_id: recipientId,
      narration: 'rent',
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      amount: 40_000,
      currency: 'NGN',
      status: 'pending',
      narration: 'rent',
      recipient: { id: recipientId, account_number_last4: '4567' },
    });
    expect(res.body.reference).toMatch(/^WDR-\d{14}-[A-Z0-9]{8}$/);
    expect(await balance(t, p)).toBe(60_000);

    await sentToGateway(res.body.reference);
    const sent = paystack.transferRequests.filter(
      (body) => body.reference === res.body.reference.toLowerCase(),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ amount: 40_000, source: 'balance', currency: 'NGN' });
    await settledAs(p, res.body.id, 'processing');

    await paystack.settleTransfer(res.body.reference.toLowerCase(), 'success', {
      sendWebhook: true,
    });
    await settledAs(p, res.body.id, 'succeeded');
    expect(await balance(t, p)).toBe(60_000);
    expect(await payoutPostings(t, res.body.reference)).toEqual([
      'withdrawal',
      'withdrawal_settlement',
    ]);

    await receiver.waitFor(() => receiver.requests.some((r) => r.body.includes(res.body.id)));
    const received = receiver.requests.filter((r) => r.body.includes(res.body.id));
    expect(received).toHaveLength(1);
    const body = verifyWebhook(endpoint.body.secret, received[0]) as {
      event: string;
      data: Record<string, unknown>;
    };
    expect(body.event).toBe('payout.succeeded');
    expect(body.data).toMatchObject({ id: res.body.id, status: 'succeeded', amount: 40_000 });

    const history = await request(t.url)
      .get('/api/v1/wallet/transactions?type=withdrawal')
      .set(p.authHeader)
      .expect(200);
    expect(history.body.transactions).toMatchObject([
      { type: 'withdrawal', amount: 40_000, reference: res.body.reference },
    ]);
  });

  it('gives the money back once when the failure webhook is delivered five times', async () => {
    const { p, recipientId } = await funded(50_000);
    const res = await withdraw(t, p, { amount: 20_000, recipient_id: recipientId });
    expect(res.status).toBe(202);
    await sentToGateway(res.body.reference);
    await settledAs(p, res.body.id, 'processing');
    const reference = res.body.reference.toLowerCase();
    await paystack.settleTransfer(reference, 'failed', { reason: 'Account is dormant' });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => paystack.sendTransferWebhook(reference)),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    await settledAs(p, res.body.id, 'failed');
    // the duplicates are settled too: nothing more can move
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await balance(t, p)).toBe(50_000);
    expect((await payout(t, p, res.body.id)).failure_reason).toBe('Account is dormant');
    expect(await payoutPostings(t, res.body.reference)).toEqual([
      'withdrawal',
      'withdrawal_reversal',
    ]);
  });

  it('gives the money back once when a succeeded transfer is reversed, whatever repeats', async () => {
    const { p, recipientId } = await funded(50_000);
    const res = await withdraw(t, p, { amount: 30_000, recipient_id: recipientId });
    await sentToGateway(res.body.reference);
    const reference = res.body.reference.toLowerCase();
    await paystack.settleTransfer(reference, 'success', { sendWebhook: true });
    await settledAs(p, res.body.id, 'succeeded');
    expect(await balance(t, p)).toBe(20_000);

    await paystack.settleTransfer(reference, 'reversed');
    await Promise.all(Array.from({ length: 3 }, () => paystack.sendTransferWebhook(reference)));
    await settledAs(p, res.body.id, 'reversed');
    // a late success webhook (the success state was seen before) changes nothing
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await balance(t, p)).toBe(50_000);
    expect(await payoutPostings(t, res.body.reference)).toEqual([
      'withdrawal',
      'withdrawal_settlement',
      'withdrawal_reversal',
    ]);
  });

  it('accepts only what fits when 15 withdrawals race over the balance, and never goes negative', async () => {
    const { p, recipientId } = await funded(100_000);
    const answers = await Promise.all(
      Array.from({ length: 15 }, () =>
        withdraw(t, p, { amount: 15_000, recipient_id: recipientId }),
      ),
    );
    const accepted = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status === 422);
    expect(accepted).toHaveLength(6);
    expect(refused).toHaveLength(9);
    for (const answer of refused) expect(answer.body.code).toBe('INSUFFICIENT_FUNDS');
    expect(await balance(t, p)).toBe(10_000);
  });

  it('holds the day limit when withdrawals race: only what the limit allows is accepted', async () => {
    const p = await person();
    await fund(t, paystack, p, 6_000_000);
    const recipient = await createRecipient(t, p);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        withdraw(t, p, { amount: 900_000, recipient_id: recipient.id }),
      ),
    );
    const accepted = answers.filter((answer) => answer.status === 202);
    expect(accepted).toHaveLength(5);
    for (const answer of answers.filter((a) => a.status !== 202)) {
      expect(answer.status).toBe(422);
      expect(answer.body.code).toBe('PAYOUT_LIMIT_EXCEEDED');
      expect(answer.body.details[0].limit).toBe('PAYOUT_DAILY_LIMIT');
    }
    expect(await balance(t, p)).toBe(6_000_000 - 5 * 900_000);
  });

  it('sends one transfer for an Idempotency-Key replayed, also concurrently', async () => {
    const { p, recipientId } = await funded(50_000);
    const key = randomUUID();
    const body = { amount: 10_000, recipient_id: recipientId };
    const first = await withdraw(t, p, body, key);
    expect(first.status).toBe(202);
    const replays = await Promise.all(Array.from({ length: 5 }, () => withdraw(t, p, body, key)));
    for (const replay of replays) {
      expect(replay.status).toBe(202);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(first.body.id);
    }
    await sentToGateway(first.body.reference);
    await settledAs(p, first.body.id, 'processing');
    expect(await balance(t, p)).toBe(40_000);
    expect(
      paystack.transferRequests.filter(
        (sent) =>
          sent.amount === 10_000 &&
          sent.recipient !== undefined &&
          String(sent.reference).startsWith(first.body.reference.toLowerCase()),
      ),
    ).toHaveLength(1);
    const [count] = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM payouts WHERE user_id = $1`,
      [p.userId],
    );
    expect(count.n).toBe(1);
  });

  it('sends once however many workers run the same payout at the same time', async () => {
    const { p, recipientId } = await funded(50_000);
    paystack.failNextTransfers(1, 'hang', 'before_record');
    const res = await withdraw(t, p, { amount: 10_000, recipient_id: recipientId });
    // the job's call is hanging: now ten more workers (job retries, reconciliation) try it
    await waitFor(
      () => payoutRow(t, res.body.id),
      (row) => row.status === 'processing',
    );
    const execution = t.get<PayoutExecutionService>(PayoutExecutionService);
    await Promise.allSettled(Array.from({ length: 10 }, () => execution.process(res.body.id)));
    const reference = res.body.reference.toLowerCase();
    expect(paystack.transferRequests.filter((sent) => sent.reference === reference)).toHaveLength(
      1,
    );
    expect((await payoutRow(t, res.body.id)).send_attempts).toBe(1);
  });

  it('asks for the OTP, waits in requires_otp, and sends once an admin finalizes it', async () => {
    const { p, recipientId } = await funded(50_000);
    paystack.transferOtp = true;
    const res = await withdraw(t, p, { amount: 10_000, recipient_id: recipientId });
    await settledAs(p, res.body.id, 'requires_otp');
    const wrong = await request(t.url)
      .post(`/api/v1/admin/payouts/${res.body.id}/finalize`)
      .set(admin.authHeader)
      .send({ otp: '111111' });
    expect(wrong.status).toBe(502);
    expect((await payout(t, p, res.body.id)).status).toBe('requires_otp');
    const finalized = await request(t.url)
      .post(`/api/v1/admin/payouts/${res.body.id}/finalize`)
      .set(admin.authHeader)
      .send({ otp: paystack.transferOtpCode })
      .expect(200);
    expect(finalized.body).toMatchObject({ status: 'processing', finalized_by: admin.userId });
    expect(finalized.body.finalized_at).toEqual(expect.any(String));
    await paystack.settleTransfer(res.body.reference.toLowerCase(), 'success', {
      sendWebhook: true,
    });
    await settledAs(p, res.body.id, 'succeeded');
    expect(await balance(t, p)).toBe(40_000);
  });

  it('refuses less than the minimum, and holds above the threshold until an admin approves or rejects', async () => {
    const { p, recipientId } = await funded(3_000_000);
    const small = await withdraw(t, p, { amount: 999, recipient_id: recipientId });
    expect(small.status).toBe(422);
    expect(small.body.code).toBe('PAYOUT_LIMIT_EXCEEDED');
    expect(small.body.details[0].limit).toBe('PAYOUT_MIN_AMOUNT');

    const big = await withdraw(t, p, { amount: 1_200_000, recipient_id: recipientId });
    expect(big.status).toBe(202);
    expect(big.body.status).toBe('pending_approval');
    expect(await balance(t, p)).toBe(1_800_000);
    const queue = await request(t.url)
      .get('/api/v1/admin/payouts?status=pending_approval')
      .set(admin.authHeader)
      .expect(200);
    expect(queue.body.payouts.map((row: { id: string }) => row.id)).toContain(big.body.id);
    expect(paystack.findTransfer(big.body.reference.toLowerCase())).toBeUndefined();
    await request(t.url)
      .post(`/api/v1/admin/payouts/${big.body.id}/approve`)
      .set(p.authHeader)
      .expect(403);
    const approved = await request(t.url)
      .post(`/api/v1/admin/payouts/${big.body.id}/approve`)
      .set(admin.authHeader)
      .expect(200);
    expect(approved.body).toMatchObject({ status: 'pending', approved_by: admin.userId });
    await sentToGateway(big.body.reference);

    const other = await withdraw(t, p, { amount: 1_100_000, recipient_id: recipientId });
    expect(other.body.status).toBe('pending_approval');
    const rejected = await request(t.url)
      .post(`/api/v1/admin/payouts/${other.body.id}/reject`)
      .set(admin.authHeader)
      .send({ note: 'not this week' })
      .expect(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      rejected_by: admin.userId,
      rejection_note: 'not this week',
    });
    expect(await balance(t, p)).toBe(1_800_000);
    await request(t.url)
      .post(`/api/v1/admin/payouts/${other.body.id}/reject`)
      .set(admin.authHeader)
      .send({ note: 'again' })
      .expect(409);
    expect(await balance(t, p)).toBe(1_800_000);
  });

  it('keeps a recipient with a payout in flight, and needs the payouts permission for API keys', async () => {
    const { p, recipientId } = await funded(50_000);
    const res = await withdraw(t, p, { amount: 10_000, recipient_id: recipientId });
    expect(res.status).toBe(202);
    const refused = await request(t.url)
      .delete(`/api/v1/payout-recipients/${recipientId}`)
      .set(p.authHeader)
      .expect(409);
    expect(refused.body.code).toBe('RECIPIENT_HAS_PAYOUT_IN_FLIGHT');

    const readOnly = await createApiKey(t, p.token, ['read', 'transfer']);
    await request(t.url)
      .post('/api/v1/wallet/withdrawals')
      .set('x-api-key', readOnly)
      .send({ amount: 10_000, recipient_id: recipientId })
      .expect(403);
    const payoutsKey = await createApiKey(t, p.token, ['payouts']);
    const list = await request(t.url)
      .get('/api/v1/wallet/withdrawals')
      .set('x-api-key', payoutsKey)
      .expect(200);
    expect(list.body.withdrawals.map((w: { id: string }) => w.id)).toEqual([res.body.id]);

    const stranger = await person();
    await request(t.url)
      .get(`/api/v1/wallet/withdrawals/${res.body.id}`)
      .set(stranger.authHeader)
      .expect(404);
    const theirs = await withdraw(t, stranger, { amount: 10_000, recipient_id: recipientId });
    expect(theirs.status).toBe(404);
  });

  it('applies exactly one outcome when successes and failures race for the same payout', async () => {
    const { p, recipientId } = await funded(50_000);
    const res = await withdraw(t, p, { amount: 20_000, recipient_id: recipientId });
    await sentToGateway(res.body.reference);
    await settledAs(p, res.body.id, 'processing');
    const transitions = t.get<PayoutTransitionsService>(PayoutTransitionsService);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        transitions.finish(res.body.id, i % 2 === 0 ? 'succeeded' : 'failed', 'raced'),
      ),
    );
    const applied = results.filter((r) => r.status === 'fulfilled' && r.value === true);
    expect(applied).toHaveLength(1);
    const final = await payout(t, p, res.body.id);
    expect(['succeeded', 'failed']).toContain(final.status);
    expect(await balance(t, p)).toBe(final.status === 'succeeded' ? 30_000 : 50_000);
    expect(await payoutPostings(t, res.body.reference)).toEqual([
      'withdrawal',
      final.status === 'succeeded' ? 'withdrawal_settlement' : 'withdrawal_reversal',
    ]);
    const events = await sql<{ type: string }>(
      t,
      `SELECT type FROM events WHERE type LIKE 'payout.%' AND data->>'id' = $1`,
      [res.body.id],
    );
    expect(events.map((event) => event.type)).toEqual([`payout.${final.status}`]);
  });

  it('reports the money in flight the same way in the ledger check and on /metrics', async () => {
    const { p, recipientId } = await funded(50_000);
    const res = await withdraw(t, p, { amount: 12_345, recipient_id: recipientId });
    expect(res.status).toBe(202);
    const report = await t.get<LedgerCheckService>(LedgerCheckService).run();
    const ngn = report.totals.find((total) => total.currency === 'NGN');
    const [open] = await sql<{ total: string }>(
      t,
      `SELECT coalesce(sum(amount), 0)::text AS total FROM payouts
        WHERE status IN ('pending_approval', 'pending', 'processing', 'requires_otp')`,
    );
    expect(ngn?.payouts_in_flight).toBe(open.total);
    expect(Number(open.total)).toBeGreaterThanOrEqual(12_345);
    const metrics = await request(t.url).get('/metrics').expect(200);
    expect(metrics.text).toContain(`payouts_in_flight_amount{currency="NGN"} ${open.total}`);
    expect(metrics.text).toMatch(/payouts\{status="requested",currency="NGN"\} \d+/);
  });

  it('gives the money back when a transfer waiting for its OTP is abandoned at the gateway', async () => {
    const { p, recipientId } = await funded(50_000);
    paystack.transferOtp = true;
    const res = await withdraw(t, p, { amount: 15_000, recipient_id: recipientId });
    await settledAs(p, res.body.id, 'requires_otp');
    const reconciliation = t.get<PayoutReconciliationService>(PayoutReconciliationService);
    await sql(t, `UPDATE payouts SET next_verify_at = now() WHERE id = $1`, [res.body.id]);
    await reconciliation.reconcileOnce();
    expect((await payout(t, p, res.body.id)).status).toBe('requires_otp');
    paystack.setTransferStatus(res.body.reference.toLowerCase(), 'abandoned');
    await sql(t, `UPDATE payouts SET next_verify_at = now() WHERE id = $1`, [res.body.id]);
    await reconciliation.reconcileOnce();
    expect((await payout(t, p, res.body.id)).status).toBe('failed');
    expect(await balance(t, p)).toBe(50_000);
  });
});
