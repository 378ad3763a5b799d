import request from 'supertest';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { FakeStripe } from '../fakes/fake-stripe.js';
import type { SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/test-env.js';
import { gatewayTestApp } from './gateway.helpers.js';
import { createPayment, eventStatus, sql, waitFor } from './payments.helpers.js';

/** Stripe disputes (SPEC §17): charge.dispute.* webhooks, the dispute fetched from Stripe's API. */
describe('disputes (e2e, Stripe)', () => {
  const app = gatewayTestApp(() => new FakeStripe().start(), 'alice.disputes.stripe@example.com');
  let t: TestApp;
  let stripe: FakeStripe;
  let alice: SignedIn;

  beforeAll(() => {
    ({ t, fake: stripe, alice } = app());
  });

  afterEach(async () => {
    const report = await t.get<LedgerCheckService>(LedgerCheckService).run();
    expect(report.problems).toEqual([]);
  });

  const api = (): ReturnType<typeof request> => request(t.url);

  async function balance(): Promise<number> {
    return (await api().get('/api/v1/wallet/balance').set(alice.authHeader).expect(200)).body
      .balance as number;
  }

  async function settle(reference: string): Promise<string> {
    const sessionId = stripe.sessionByReference(reference).id as string;
    stripe.pay(sessionId);
    expect((await stripe.sendWebhook(t.url, stripe.checkoutCompletedEvent(sessionId))).status).toBe(
      200,
    );
    await waitFor(
      async () =>
        (
          await sql<{ status: string }>(t, `SELECT status FROM payments WHERE reference = $1`, [
            reference,
          ])
        )[0].status,
      (status) => status === 'succeeded',
    );
    return sessionId;
  }

  async function waitForDispute(gatewayId: string, status: string) {
    return waitFor(
      async () =>
        (
          await sql<{ id: string; status: string; hold_state: string }>(
            t,
            `SELECT id, status, hold_state FROM disputes WHERE gateway = 'stripe' AND gateway_dispute_id = $1`,
            [gatewayId],
          )
        )[0],
      (row) => row?.status === status,
    );
  }

  it('holds a Stripe deposit on charge.dispute.created and releases it once when won', async () => {
    const started = await api()
      .post('/api/v1/wallet/deposit')
      .set(alice.authHeader)
      .send({ amount: 4_000, gateway: 'stripe' })
      .expect(201);
    const before = await balance();
    const sessionId = await settle(started.body.reference);
    await waitFor(balance, (b) => b === before + 4_000);

    const dispute = stripe.openDispute(sessionId);
    const id = dispute.id as string;
    await stripe.sendWebhook(t.url, stripe.disputeEvent('charge.dispute.created', id));
    const row = await waitForDispute(id, 'open');
    expect(row.hold_state).toBe('held');
    expect(await balance()).toBe(before);

    const evidence = await api()
      .post(`/api/v1/disputes/${row.id}/evidence`)
      .set(alice.authHeader)
      .send({ text: 'Service delivered.' })
      .expect(200);
    expect(evidence.body.status).toBe('under_review');
    expect(stripe.dispute(id).status).toBe('under_review');
    expect((stripe.dispute(id).evidence as Record<string, unknown>).uncategorized_text).toBe(
      'Service delivered.',
    );

    stripe.setDisputeStatus(id, 'won');
    for (let i = 0; i < 3; i++)
      await stripe.sendWebhook(t.url, stripe.disputeEvent('charge.dispute.closed', id));
    await waitForDispute(id, 'won');
    await waitFor(balance, (b) => b === before + 4_000);
    const transfers = await sql<{ kind: string }>(
      t,
      `SELECT kind FROM ledger_transfers WHERE key IN ('dispute_hold:' || $1, 'dispute_release:' || $1, 'dispute_loss:' || $1)`,
      [row.id],
    );
    expect(transfers.map((tr) => tr.kind).sort()).toEqual(['dispute_hold', 'dispute_release']);
  });

  it('records a dispute on a plain payment against the payment, and the payment shows disputed: lost', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 2_500,
      currency: 'USD',
      gateway: 'stripe',
    });
    const sessionId = await settle(created.reference);
    const dispute = stripe.openDispute(sessionId);
    const id = dispute.id as string;
    stripe.setDisputeStatus(id, 'lost');
    await stripe.sendWebhook(t.url, stripe.disputeEvent('charge.dispute.closed', id));
    const row = await waitForDispute(id, 'lost');
    expect(row.hold_state).toBe('recorded');
    const payment = await api()
      .get(`/api/v1/payments/${created.reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(payment.body.disputed).toBe('lost');
  });
  it('parks a refund made in Stripe on a disputed payment for a person, instead of failing its event over and over', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 3_000,
      currency: 'USD',
      gateway: 'stripe',
    });
    const sessionId = await settle(created.reference);
    const dispute = stripe.openDispute(sessionId);
    await stripe.sendWebhook(
      t.url,
      stripe.disputeEvent('charge.dispute.created', dispute.id as string),
    );
    await waitForDispute(dispute.id as string, 'open');

    const refunded = {
      id: 're_3disputed0000000000000001',
      object: 'refund',
      amount: 3_000,
      currency: 'usd',
      status: 'succeeded',
      metadata: {},
      created: Math.floor(Date.now() / 1000),
    };
    const event = stripe.event('charge.refunded', {
      id: 'ch_3disputed000000000000001',
      object: 'charge',
      amount: 3_000,
      amount_refunded: 3_000,
      currency: 'usd',
      metadata: { reference: created.reference },
      refunded: true,
      refunds: { object: 'list', data: [refunded] },
    });
    await stripe.sendWebhook(t.url, event);
    const status = await waitFor(
      () => eventStatus(t, 'stripe', event.id as string),
      (value) => !['received', 'processing'].includes(value),
    );
    expect(status).toBe('unmatched');
    const [row] = await sql<{ last_error: string | null; attempts: number }>(
      t,
      `SELECT last_error, attempts FROM inbound_webhook_events WHERE gateway = 'stripe' AND event_id = $1`,
      [event.id],
    );
    expect(row.last_error).toMatch(/disputed/);
    expect(
      await sql(t, `SELECT id FROM refunds WHERE payment_reference = $1`, [created.reference]),
    ).toEqual([]);
  });
});
