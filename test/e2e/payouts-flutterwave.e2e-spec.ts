import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { FakeFlutterwave } from '../fakes/fake-flutterwave.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, SignedIn } from '../helpers/auth.js';
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
  withdraw,
} from './payouts.helpers.js';

describe('payouts (e2e, Flutterwave)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let flutterwave: FakeFlutterwave;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    flutterwave = await new FakeFlutterwave().start();
    const generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      env: paymentsEnv(paystack, generic.secret, {
        ...PAYOUT_ENV,
        ...flutterwave.env(),
        PAYOUT_MIN_AMOUNT: '1000',
      }),
    });
    flutterwave.appUrl = t.url;
  });

  afterEach(async () => {
    await expectLedgerClean(t);
  });

  afterAll(async () => {
    await t?.close();
    await flutterwave?.stop();
    await paystack?.stop();
  });

  async function funded(amount: number): Promise<{ p: SignedIn; recipientId: string }> {
    const p = await signIn(t, `fw-${randomUUID()}@example.com`);
    await fund(t, paystack, p, amount);
    const recipient = await createRecipient(t, p, {
      gateway: 'flutterwave',
      bank_code: '044',
      account_number: '0690000032',
    });
    expect(recipient).toMatchObject({
      account_name: 'Pastor Bright',
      account_number_last4: '0032',
    });
    return { p, recipientId: recipient.id };
  }

  it('sends the transfer in major units with our reference and succeeds on the verified transfer.completed', async () => {
    const { p, recipientId } = await funded(80_000);
    const res = await withdraw(t, p, {
      amount: 25_050,
      recipient_id: recipientId,
      narration: 'fees',
    });
    expect(res.status).toBe(202);
    expect(await balance(t, p)).toBe(54_950);
    const reference = res.body.reference as string;
    const sent = await waitFor(
      async () => flutterwave.findTransfer(reference),
      (transfer) => transfer !== undefined,
    );
    expect(sent).toMatchObject({ amount: 250.5, currency: 'NGN', accountNumber: '0690000032' });
    expect(flutterwave.transferRequests).toHaveLength(1);

    const answers = await Promise.all([
      flutterwave.settleTransfer(reference, 'SUCCESSFUL', { sendWebhook: true }),
      flutterwave.sendTransferWebhook(reference),
    ]);
    expect(answers[0].webhook?.status).toBe(200);
    await waitFor(
      () => payout(t, p, res.body.id),
      (view) => view.status === 'succeeded',
    );
    expect(await balance(t, p)).toBe(54_950);
    expect(await payoutPostings(t, reference)).toEqual(['withdrawal', 'withdrawal_settlement']);
    const [clearing] = await sql<{ balance: string }>(
      t,
      `SELECT balance::text FROM ledger_accounts WHERE name = 'clearing:flutterwave:NGN'`,
    );
    expect(clearing.balance).toBe('25050');
  });

  it('gives the money back once on a FAILED transfer.completed, and a forged success webhook moves nothing', async () => {
    const { p, recipientId } = await funded(50_000);
    const res = await withdraw(t, p, { amount: 20_000, recipient_id: recipientId });
    const reference = res.body.reference as string;
    await waitFor(
      async () => flutterwave.findTransfer(reference),
      (transfer) => transfer !== undefined,
    );
    // a webhook claiming success while Flutterwave says the transfer is still NEW changes nothing
    flutterwave.setTransferStatus(reference, 'SUCCESSFUL');
    const claim = flutterwave.transferCompletedEvent(reference);
    flutterwave.setTransferStatus(reference, 'NEW');
    const forged = await request(t.url)
      .post('/api/v1/webhooks/flutterwave')
      .set('verif-hash', flutterwave.webhookHash)
      .send(claim);
    expect(forged.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await payout(t, p, res.body.id)).status).toBe('processing');

    await flutterwave.settleTransfer(reference, 'FAILED', { sendWebhook: true });
    await waitFor(
      () => payout(t, p, res.body.id),
      (view) => view.status === 'failed',
    );
    await flutterwave.sendTransferWebhook(reference);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await balance(t, p)).toBe(50_000);
    expect((await payout(t, p, res.body.id)).failure_reason).toMatch(/DISBURSE FAILED/);
    expect(await payoutPostings(t, reference)).toEqual(['withdrawal', 'withdrawal_reversal']);
  });
});
