import { randomUUID } from 'node:crypto';
import { PayoutReconciliationService } from '../../src/modules/payouts/payout-reconciliation.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { paymentsEnv, waitFor } from './payments.helpers.js';
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

/**
 * The gateway hanging, failing or cutting the connection on the transfer call: never a blind
 * resend. The fake records every POST /transfer it receives (transferRequests), so "one transfer
 * at the gateway" is counted where the gateway counts it.
 */
describe('payouts when the gateway fails on the transfer call (e2e, Paystack)', () => {
  let t: TestApp;
  let paystack: FakePaystack;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    const generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      env: paymentsEnv(paystack, generic.secret, {
        ...PAYOUT_ENV,
        GATEWAY_TIMEOUT: '1s',
        PAYOUT_MIN_AMOUNT: '1000',
        PAYOUT_RESEND_AFTER: '3s',
      }),
    });
    paystack.appUrl = t.url;
  });

  afterEach(async () => {
    paystack.clearTransferFaults();
    paystack.insufficientBalance = false;
    await expectLedgerClean(t);
  });

  afterAll(async () => {
    await t?.close();
    await paystack?.stop();
  });

  async function funded(amount: number): Promise<{ p: SignedIn; recipientId: string }> {
    const p = await signIn(t, `pf-${randomUUID()}@example.com`);
    await fund(t, paystack, p, amount);
    return { p, recipientId: (await createRecipient(t, p)).id };
  }

  const requestsFor = (reference: string): number =>
    paystack.transferRequests.filter((body) => body.reference === reference.toLowerCase()).length;

  /** Runs the repeating reconciliation (as its schedule would) until the payout is `status`. */
  async function reconciledTo(p: SignedIn, id: string, status: string): Promise<void> {
    const reconciliation = t.get<PayoutReconciliationService>(PayoutReconciliationService);
    await waitFor(
      async () => {
        await reconciliation.reconcileOnce();
        return (await payout(t, p, id)).status;
      },
      (current) => current === status,
    );
  }

  it.each(['hang', 'error500', 'drop'] as const)(
    'leaves the payout processing after a %s once the transfer was made, sends nothing more, and finishes once verify answers',
    async (mode) => {
      const { p, recipientId } = await funded(50_000);
      paystack.failNextTransfers(1, mode, 'after_record');
      const res = await withdraw(t, p, { amount: 20_000, recipient_id: recipientId });
      expect(res.status).toBe(202);
      const reference = res.body.reference as string;
      // the job's call ends without an answer; its retries only verify, and find it pending
      await waitFor(
        () => payoutRow(t, res.body.id),
        (row) => row.status === 'processing' && row.gateway_transfer_id !== null,
      );
      expect(requestsFor(reference)).toBe(1);
      expect(await balance(t, p)).toBe(30_000);

      await paystack.settleTransfer(reference.toLowerCase(), 'success'); // no webhook: lost
      await reconciledTo(p, res.body.id, 'succeeded');
      expect(requestsFor(reference)).toBe(1);
      expect((await payoutRow(t, res.body.id)).send_attempts).toBe(1);
      expect(await balance(t, p)).toBe(30_000);
      expect(await payoutPostings(t, reference)).toEqual(['withdrawal', 'withdrawal_settlement']);
    },
  );

  it('sends again with the same reference only when the gateway still says "not found" long after the call', async () => {
    const { p, recipientId } = await funded(50_000);
    paystack.failNextTransfers(1, 'error500', 'before_record');
    const res = await withdraw(t, p, { amount: 10_000, recipient_id: recipientId });
    const reference = res.body.reference as string;
    await waitFor(
      () => payoutRow(t, res.body.id),
      (row) => row.status === 'processing',
    );
    // before PAYOUT_RESEND_AFTER (3 s) "not found" sends nothing
    const reconciliation = t.get<PayoutReconciliationService>(PayoutReconciliationService);
    await reconciliation.reconcileOnce();
    expect(requestsFor(reference)).toBe(1);
    expect(paystack.findTransfer(reference.toLowerCase())).toBeUndefined();

    await waitFor(
      async () => {
        await reconciliation.reconcileOnce();
        return paystack.findTransfer(reference.toLowerCase());
      },
      (transfer) => transfer !== undefined,
    );
    expect(requestsFor(reference)).toBe(2);
    expect((await payoutRow(t, res.body.id)).send_attempts).toBe(2);
    await paystack.settleTransfer(reference.toLowerCase(), 'failed', { sendWebhook: true });
    await waitFor(
      () => payout(t, p, res.body.id),
      (view) => view.status === 'failed',
    );
    expect(await balance(t, p)).toBe(50_000);
  });

  it('gives the money back at once when the gateway refuses the transfer and has no transfer with our reference', async () => {
    const { p, recipientId } = await funded(50_000);
    paystack.insufficientBalance = true;
    const res = await withdraw(t, p, { amount: 10_000, recipient_id: recipientId });
    await waitFor(
      () => payout(t, p, res.body.id),
      (view) => view.status === 'failed',
    );
    expect((await payout(t, p, res.body.id)).failure_reason).toMatch(/balance is not enough/i);
    expect(await balance(t, p)).toBe(50_000);
    expect(requestsFor(res.body.reference as string)).toBe(1);
  });
});
