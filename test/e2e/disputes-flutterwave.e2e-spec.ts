import request from 'supertest';
import { DisputePollService } from '../../src/modules/disputes/dispute-poll.service.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { FakeFlutterwave } from '../fakes/fake-flutterwave.js';
import type { SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/test-env.js';
import { gatewayTestApp } from './gateway.helpers.js';
import { paymentStatus, sql, waitFor } from './payments.helpers.js';

/**
 * Flutterwave chargebacks (SPEC §17) are polled with GET /v3/chargebacks by a repeating job; the
 * tests run the job's body (DisputePollService.pollAll) against the fake.
 */
describe('disputes (e2e, Flutterwave polling)', () => {
  const app = gatewayTestApp(
    () => new FakeFlutterwave().start(),
    'alice.disputes.flutterwave@example.com',
  );
  let t: TestApp;
  let flutterwave: FakeFlutterwave;
  let alice: SignedIn;

  beforeAll(() => {
    ({ t, fake: flutterwave, alice } = app());
  });

  afterEach(async () => {
    const report = await t.get<LedgerCheckService>(LedgerCheckService).run();
    expect(report.problems).toEqual([]);
  });

  const api = (): ReturnType<typeof request> => request(t.url);
  const poll = () => t.get<DisputePollService>(DisputePollService).pollAll();

  async function balance(): Promise<number> {
    return (await api().get('/api/v1/wallet/balance').set(alice.authHeader).expect(200)).body
      .balance as number;
  }

  async function deposit(amount: number): Promise<{ reference: string; transactionId: number }> {
    const started = await api()
      .post('/api/v1/wallet/deposit')
      .set(alice.authHeader)
      .send({ amount, gateway: 'flutterwave' })
      .expect(201);
    const reference = started.body.reference as string;
    const transaction = flutterwave.pay(reference);
    await flutterwave.sendWebhook(
      t.url,
      flutterwave.chargeCompletedEvent(transaction.id as number),
    );
    await waitFor(
      () => paymentStatus(t, reference),
      (status) => status === 'succeeded',
    );
    return { reference, transactionId: transaction.id as number };
  }

  async function dispute(gatewayId: number) {
    const rows = await sql<{ id: string; status: string }>(
      t,
      `SELECT id, status FROM disputes WHERE gateway = 'flutterwave' AND gateway_dispute_id = $1`,
      [String(gatewayId)],
    );
    return rows[0];
  }

  it('holds a polled chargeback once however often it is polled, and releases it once when won', async () => {
    const before = await balance();
    const { transactionId } = await deposit(50_000);
    await waitFor(balance, (b) => b === before + 50_000);

    const chargeback = flutterwave.openChargeback(transactionId);
    expect((await poll()).applied).toBe(1);
    expect(await poll()).toMatchObject({ applied: 0 });
    expect((await dispute(chargeback.id as number)).status).toBe('open');
    expect(await balance()).toBe(before);

    flutterwave.setChargebackStatus(chargeback.id as number, 'won');
    await poll();
    await poll();
    const row = await dispute(chargeback.id as number);
    expect(row.status).toBe('won');
    expect(await balance()).toBe(before + 50_000);
    const transfers = await sql<{ kind: string }>(
      t,
      `SELECT kind FROM ledger_transfers WHERE key IN ('dispute_hold:' || $1, 'dispute_release:' || $1, 'dispute_loss:' || $1)`,
      [row.id],
    );
    expect(transfers.map((tr) => tr.kind).sort()).toEqual(['dispute_hold', 'dispute_release']);
  });

  it('accepting a chargeback answers Flutterwave and moves the hold to the gateway once', async () => {
    const before = await balance();
    const { transactionId } = await deposit(20_000);
    const chargeback = flutterwave.openChargeback(transactionId);
    await poll();
    const row = await dispute(chargeback.id as number);
    expect(await balance()).toBe(before);
    const accepted = await api()
      .post(`/api/v1/disputes/${row.id}/accept`)
      .set(alice.authHeader)
      .expect(200);
    expect(accepted.body.status).toBe('accepted');
    expect(flutterwave.chargeback(chargeback.id as number).status).toBe('accepted');
    expect(await poll()).toMatchObject({ applied: 0 });
    expect((await dispute(chargeback.id as number)).status).toBe('accepted');
    const transfers = await sql<{ kind: string }>(
      t,
      `SELECT kind FROM ledger_transfers WHERE key IN ('dispute_hold:' || $1, 'dispute_release:' || $1, 'dispute_loss:' || $1)`,
      [row.id],
    );
    expect(transfers.map((tr) => tr.kind).sort()).toEqual(['dispute_hold', 'dispute_loss']);
    expect(await balance()).toBe(before);
  });

  it('parks a chargeback on a payment it does not know as an unmatched event, once', async () => {
    const { transactionId } = await deposit(1_000);
    const foreign = {
      ...flutterwave.transaction(transactionId),
      id: 990_000_001,
      tx_ref: 'PAY-20260101000000-FOREIGN0',
      flw_ref: 'FLW-MOCK-FOREIGN',
    };
    const chargeback = flutterwave.openForeignChargeback(foreign);
    expect((await poll()).unmatched).toBe(1);
    await poll();
    const parked = await sql<{ status: string; kind: string }>(
      t,
      `SELECT status, kind FROM inbound_webhook_events WHERE gateway = 'flutterwave' AND event_id LIKE $1`,
      [`chargeback.${String(chargeback.id)}.%`],
    );
    expect(parked).toEqual([{ status: 'unmatched', kind: 'dispute' }]);
    expect(await dispute(chargeback.id as number)).toBeUndefined();
  });
});
