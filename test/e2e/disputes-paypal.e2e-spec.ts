import request from 'supertest';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { FakePayPal } from '../fakes/fake-paypal.js';
import type { SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/test-env.js';
import { gatewayTestApp } from './gateway.helpers.js';
import { createPayment, paymentStatus, sql, waitFor } from './payments.helpers.js';

/** PayPal disputes (SPEC §17): CUSTOMER.DISPUTE.* webhooks, the dispute fetched from PayPal. */
describe('disputes (e2e, PayPal)', () => {
  const app = gatewayTestApp(() => new FakePayPal().start(), 'alice.disputes.paypal@example.com');
  let t: TestApp;
  let paypal: FakePayPal;
  let alice: SignedIn;

  beforeAll(() => {
    ({ t, fake: paypal, alice } = app());
  });

  afterEach(async () => {
    const report = await t.get<LedgerCheckService>(LedgerCheckService).run();
    expect(report.problems).toEqual([]);
  });

  const api = (): ReturnType<typeof request> => request(t.url);

  async function paidOrder(amount: number): Promise<{ reference: string; orderId: string }> {
    const created = await createPayment(t, alice.authHeader, {
      amount,
      currency: 'USD',
      gateway: 'paypal',
    });
    const orderId = paypal.orderByReference(created.reference).id as string;
    paypal.approve(orderId);
    await paypal.sendWebhook(t.url, paypal.orderApprovedEvent(orderId));
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );
    return { reference: created.reference, orderId };
  }

  async function waitForDispute(gatewayId: string, status: string) {
    return waitFor(
      async () =>
        (
          await sql<{ id: string; status: string; payment_reference: string }>(
            t,
            `SELECT id, status, payment_reference FROM disputes WHERE gateway = 'paypal' AND gateway_dispute_id = $1`,
            [gatewayId],
          )
        )[0],
      (row) => row?.status === status,
    );
  }

  it('records a PayPal dispute, refuses evidence (422) and concedes it through accept-claim', async () => {
    const { reference, orderId } = await paidOrder(2_500);
    const dispute = paypal.openDispute(orderId);
    const id = dispute.dispute_id as string;
    expect(
      (await paypal.sendWebhook(t.url, paypal.disputeEvent('CUSTOMER.DISPUTE.CREATED', id))).status,
    ).toBe(200);
    const row = await waitForDispute(id, 'open');
    expect(row.payment_reference).toBe(reference);

    const shown = await api().get(`/api/v1/disputes/${row.id}`).set(alice.authHeader).expect(200);
    expect(shown.body).toMatchObject({
      gateway: 'paypal',
      amount: 2_500,
      currency: 'USD',
      reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
      status: 'open',
    });

    const evidence = await api()
      .post(`/api/v1/disputes/${row.id}/evidence`)
      .set(alice.authHeader)
      .send({ text: 'Shipped with tracking.' })
      .expect(422);
    expect(evidence.body.code).toBe('EVIDENCE_NOT_SUPPORTED');

    await api().post(`/api/v1/disputes/${row.id}/accept`).set(alice.authHeader).expect(200);
    expect(paypal.dispute(id).dispute_outcome).toMatchObject({ outcome_code: 'ACCEPTED' });
    await paypal.sendWebhook(t.url, paypal.disputeEvent('CUSTOMER.DISPUTE.RESOLVED', id));
    await waitFor(
      async () =>
        (
          await sql<{ n: number }>(
            t,
            `SELECT count(*)::int AS n FROM inbound_webhook_events WHERE gateway = 'paypal' AND status IN ('received', 'processing')`,
          )
        )[0].n,
      (n) => n === 0,
    );
    await waitForDispute(id, 'accepted');
    const payment = await api().get(`/api/v1/payments/${reference}`).set(alice.authHeader);
    expect(payment.body.disputed).toBe('lost');
  });

  it('closes a PayPal dispute won for the seller', async () => {
    const { orderId } = await paidOrder(1_000);
    const dispute = paypal.openDispute(orderId);
    const id = dispute.dispute_id as string;
    paypal.resolveDispute(id, 'RESOLVED_SELLER_FAVOUR');
    await paypal.sendWebhook(t.url, paypal.disputeEvent('CUSTOMER.DISPUTE.RESOLVED', id));
    await waitForDispute(id, 'won');
  });
});
