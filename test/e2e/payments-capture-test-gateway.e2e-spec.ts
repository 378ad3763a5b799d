import request from 'supertest';
import { GatewayRequestError } from '../../src/modules/gateways/gateway.errors.js';
import type { CaptureInput } from '../../src/modules/gateways/gateway.interface.js';
import { TestGatewayAdapter } from '../../src/modules/gateways/test/test-gateway.adapter.js';
import { gatewayKeyOf } from '../../src/modules/payments/capture/payment-capture.service.js';
import { TestModeService } from '../../src/modules/test-mode/test-mode.service.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { eventStatus, FAST_INBOUND_ENV, paymentEvents, sql, waitFor } from './payments.helpers.js';

const API = '/api/v1';

interface ChargeRow {
  status: string;
  amount_captured: string | null;
  capture_key: string | null;
  void_key: string | null;
}

/**
 * Authorize now, capture later (SPEC §15) on the built-in test gateway (SPEC §14): a manual test
 * payment the payer Pays is only authorized on the gateway's own record (test_gateway_charges);
 * capture and cancel act on that record, once, by the key the capture service derives; every
 * state's signed event goes through the ordinary inbound pipeline.
 */
describe('manual capture through the test gateway (e2e)', () => {
  let t: TestApp;
  let merchant: SignedIn;
  let gateway: TestGatewayAdapter;

  beforeAll(async () => {
    t = await createTestApp({ env: { ...FAST_INBOUND_ENV, TEST_MODE: 'true' } });
    merchant = await signIn(t, 'merchant.capture@example.com');
    gateway = t.get<TestGatewayAdapter>(TestGatewayAdapter);
  });
  afterAll(() => t.close());

  async function charge(reference: string): Promise<ChargeRow> {
    const [row] = await sql<ChargeRow>(
      t,
      `SELECT status, amount_captured, capture_key, void_key FROM test_gateway_charges WHERE reference = $1`,
      [reference],
    );
    return row;
  }

  async function payment(reference: string): Promise<Record<string, unknown>> {
    const res = await request(t.url)
      .get(`${API}/payments/${reference}`)
      .set(merchant.authHeader)
      .expect(200);
    return res.body as Record<string, unknown>;
  }

  function pagePath(reference: string): string {
    return `${API}/test-gateway/checkout/${reference}`;
  }

  /** The payer's click on the hosted page, then the payment as its event left it. */
  async function click(reference: string, button: 'pay' | 'fail', until: string): Promise<void> {
    expect((await request(t.url).post(`${pagePath(reference)}/${button}`)).status).toBe(303);
    await waitFor(
      async () => (await payment(reference)).status,
      (status) => status === until,
    );
  }

  async function manualPayment(amount: number): Promise<string> {
    const res = await request(t.url)
      .post(`${API}/payments`)
      .set(merchant.authHeader)
      .send({
        amount,
        currency: 'NGN',
        email: 'payer@example.com',
        gateway: 'test',
        capture: 'manual',
      })
      .expect(201);
    expect(res.body).toMatchObject({ status: 'pending', capture: 'manual', livemode: false });
    return res.body.reference as string;
  }

  function capture(reference: string, body: Record<string, unknown> = {}, key?: string) {
    const req = request(t.url)
      .post(`${API}/payments/${reference}/capture`)
      .set(merchant.authHeader);
    if (key) void req.set('Idempotency-Key', key);
    return req.send(body);
  }

  function cancel(reference: string) {
    return request(t.url).post(`${API}/payments/${reference}/cancel`).set(merchant.authHeader);
  }

  /** What the test gateway sends after a capture or void: its sweep, as the schedule runs it. */
  async function deliverEvent(reference: string, status: string): Promise<void> {
    await t.get<TestModeService>(TestModeService).sweep();
    await waitFor(
      () => eventStatus(t, 'test', `evt_test_${reference}_${status}`),
      (s) => s === 'processed',
    );
  }

  async function ledgerClean(): Promise<void> {
    const admin = await signIn(t, 'admin@example.com');
    const res = await request(t.url)
      .get(`${API}/admin/ledger/check`)
      .set(admin.authHeader)
      .expect(200);
    expect(res.body).toMatchObject({ ok: true, problems: [] });
  }

  it('Pay authorizes without taking money; a partial capture settles succeeded for that part, once; a second capture is 409', async () => {
    const reference = await manualPayment(10_000);
    const page = await request(t.url).get(pagePath(reference)).expect(200);
    expect(page.text).toMatch(/<button[^>]*>Pay<\/button>/);

    await click(reference, 'pay', 'authorized');
    expect(await payment(reference)).toMatchObject({
      status: 'authorized',
      amount_authorized: 10_000,
      amount_received: null,
      settled_at: null,
    });
    expect(await charge(reference)).toMatchObject({ status: 'authorized', amount_captured: null });
    const held = await request(t.url)
      .post(`${API}/payments/${reference}/verify`)
      .set(merchant.authHeader)
      .expect(200);
    expect(held.body).toMatchObject({ status: 'authorized', amount_authorized: 10_000 });
    await expect(
      gateway.verify({
        reference,
        gatewayPaymentId: null,
        amount: 10_000,
        currency: 'NGN',
      }),
    ).resolves.toMatchObject({ status: 'authorized', amount: 10_000, currency: 'NGN' });
    expect(await eventStatus(t, 'test', `evt_test_${reference}_authorized`)).toBe('processed');
    expect((await paymentEvents(t, reference)).map((e) => e.type)).toEqual(['payment.authorized']);
    expect((await request(t.url).get(pagePath(reference))).text).toContain(
      'already been authorized',
    );

    const captured = await capture(reference, { amount: 6_000 }).expect(200);
    expect(captured.body).toMatchObject({
      status: 'succeeded',
      amount_received: 6_000,
      amount_authorized: 10_000,
    });
    expect(await charge(reference)).toEqual({
      status: 'succeeded',
      amount_captured: '6000',
      capture_key: gatewayKeyOf('capture', reference),
      void_key: null,
    });

    const again = await capture(reference, { amount: 1_000 }).expect(409);
    expect(again.body).toMatchObject({ code: 'PAYMENT_NOT_CAPTURABLE' });
    expect((await charge(reference)).amount_captured).toBe('6000');

    // The gateway's own charge.succeeded goes through intake and changes nothing more.
    await deliverEvent(reference, 'succeeded');
    const verified = await request(t.url)
      .post(`${API}/payments/${reference}/verify`)
      .set(merchant.authHeader)
      .expect(200);
    expect(verified.body).toMatchObject({ status: 'succeeded', amount_received: 6_000 });
    expect((await paymentEvents(t, reference)).map((e) => e.type)).toEqual([
      'payment.authorized',
      'payment.success',
    ]);
    const [{ contradictions }] = await sql<{ contradictions: number }>(
      t,
      `SELECT count(*)::int AS contradictions FROM payment_audit_entries a JOIN payments p ON p.id = a.payment_id
        WHERE p.reference = $1 AND a.action = 'contradiction'`,
      [reference],
    );
    expect(contradictions).toBe(0);
    await ledgerClean();
  });

  it('credits a manual wallet deposit with only the captured amount', async () => {
    const payer = await signIn(t, 'depositor.capture@example.com');
    const balance = async (): Promise<number> =>
      (await request(t.url).get(`${API}/wallet/balance`).set(payer.authHeader).expect(200)).body
        .balance as number;
    const before = await balance();
    const deposit = await request(t.url)
      .post(`${API}/wallet/deposit`)
      .set(payer.authHeader)
      .send({ amount: 8_000, gateway: 'test' })
      .expect(201);
    const reference = deposit.body.reference as string;
    // The deposit API has no capture option: the payment and the gateway's record are made
    // manual here, before the payer pays, as `capture: "manual"` would have recorded them.
    await sql(t, `UPDATE payments SET capture_mode = 'manual' WHERE reference = $1`, [reference]);
    await sql(t, `UPDATE test_gateway_charges SET capture_method = 'manual' WHERE reference = $1`, [
      reference,
    ]);

    expect((await request(t.url).post(`${pagePath(reference)}/pay`)).status).toBe(303);
    await waitFor(
      () => eventStatus(t, 'test', `evt_test_${reference}_authorized`),
      (s) => s === 'processed',
    );
    const [row] = await sql<{ status: string }>(
      t,
      `SELECT status FROM payments WHERE reference = $1`,
      [reference],
    );
    expect(row.status).toBe('authorized');
    expect(await balance()).toBe(before);

    const res = await request(t.url)
      .post(`${API}/payments/${reference}/capture`)
      .set(payer.authHeader)
      .send({ amount: 5_000 })
      .expect(200);
    expect(res.body).toMatchObject({ status: 'succeeded', amount_received: 5_000 });
    expect(await balance()).toBe(before + 5_000);
    await deliverEvent(reference, 'succeeded');
    expect(await balance()).toBe(before + 5_000);
    await ledgerClean();
  });

  it('cancel voids the authorization: canceled on both sides, then neither capture nor cancel', async () => {
    const reference = await manualPayment(4_000);
    await click(reference, 'pay', 'authorized');
    const res = await cancel(reference).expect(200);
    expect(res.body).toMatchObject({ status: 'canceled', amount_received: null });
    expect(await charge(reference)).toEqual({
      status: 'canceled',
      amount_captured: null,
      capture_key: null,
      void_key: gatewayKeyOf('cancel', reference),
    });
    expect((await capture(reference).expect(409)).body.code).toBe('PAYMENT_NOT_CAPTURABLE');
    expect((await cancel(reference).expect(409)).body.code).toBe('PAYMENT_NOT_CAPTURABLE');
    await deliverEvent(reference, 'canceled');
    const verified = await request(t.url)
      .post(`${API}/payments/${reference}/verify`)
      .set(merchant.authHeader)
      .expect(200);
    expect(verified.body.status).toBe('canceled');
    expect((await paymentEvents(t, reference)).map((e) => e.type)).toEqual([
      'payment.authorized',
      'payment.canceled',
    ]);
    expect((await charge(reference)).status).toBe('canceled');
    await ledgerClean();
  });

  it('Fail on a manual test payment fails it; nothing can be captured', async () => {
    const reference = await manualPayment(3_000);
    await click(reference, 'fail', 'failed');
    expect(await charge(reference)).toMatchObject({ status: 'failed', amount_captured: null });
    expect((await capture(reference).expect(409)).body.code).toBe('PAYMENT_NOT_CAPTURABLE');
    expect((await paymentEvents(t, reference)).map((e) => e.type)).toEqual(['payment.failed']);
  });

  it('replays a capture retried with its Idempotency-Key: one capture on the record', async () => {
    const reference = await manualPayment(8_000);
    await click(reference, 'pay', 'authorized');
    const first = await capture(reference, { amount: 3_000 }, `cap-${reference}`).expect(200);
    const replay = await capture(reference, { amount: 3_000 }, `cap-${reference}`).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await charge(reference)).toMatchObject({ status: 'succeeded', amount_captured: '3000' });
    expect(
      (await paymentEvents(t, reference)).filter((e) => e.type === 'payment.success'),
    ).toHaveLength(1);
  });

  it('refuses a capture above the authorization and captures nothing', async () => {
    const reference = await manualPayment(5_000);
    await click(reference, 'pay', 'authorized');
    expect((await capture(reference, { amount: 5_001 }).expect(422)).body.code).toBe(
      'CAPTURE_EXCEEDS_AUTHORIZED',
    );
    expect((await charge(reference)).status).toBe('authorized');
    await capture(reference).expect(200);
    expect(await charge(reference)).toMatchObject({ status: 'succeeded', amount_captured: '5000' });
  });

  it("still sends a capture's event when the authorization's event was in flight as it landed", async () => {
    const reference = await manualPayment(2_000);
    await click(reference, 'pay', 'authorized');
    // The sweep read the charge authorized (its event unsent, as after a crash) …
    await sql(t, `UPDATE test_gateway_charges SET notified_at = NULL WHERE reference = $1`, [
      reference,
    ]);
    const stale = await gateway.find(reference);
    expect(stale?.status).toBe('authorized');
    // … the merchant captures meanwhile …
    await capture(reference, { amount: 2_000 }).expect(200);
    // … then the sweep hands over the authorization's event and marks it sent.
    await t.get<TestModeService>(TestModeService).notify(stale!);
    // The capture's own event is not lost with it: the next sweep sends it.
    await deliverEvent(reference, 'succeeded');
    expect((await charge(reference)).status).toBe('succeeded');
  });

  it('at the gateway itself: ten racing captures and voids with different keys, one wins; its key replays it, any other is refused', async () => {
    // Past our capture service (which lets only one through): the gateway's record alone decides.
    const reference = await manualPayment(9_000);
    await click(reference, 'pay', 'authorized');
    const input = (i: number): CaptureInput => ({
      reference,
      gatewayPaymentId: `test_${reference}`,
      gatewayChargeId: null,
      gatewayAuthorizationId: null,
      amount: 1_000 + i,
      currency: 'NGN',
      idempotencyKey: `key-${i}`,
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        i % 3 === 2 ? gateway.voidAuthorization(input(i)) : gateway.capture(input(i)),
      ),
    );
    const won = outcomes
      .map((outcome, i) => ({ outcome, i }))
      .filter(({ outcome }) => outcome.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(GatewayRequestError);
    const winner = won[0].i;
    const row = await charge(reference);
    if (winner % 3 === 2) {
      expect(row).toMatchObject({ status: 'canceled', void_key: `key-${winner}` });
      await expect(gateway.voidAuthorization(input(winner))).resolves.toMatchObject({
        status: 'canceled',
      });
    } else {
      expect(row).toMatchObject({
        status: 'succeeded',
        amount_captured: String(1_000 + winner),
        capture_key: `key-${winner}`,
      });
      // the same key and amount replays the answer; the same key for another amount is refused
      await expect(gateway.capture(input(winner))).resolves.toMatchObject({
        status: 'succeeded',
        amount: 1_000 + winner,
      });
      await expect(
        gateway.capture({ ...input(winner), amount: 1_000 + winner + 1 }),
      ).rejects.toBeInstanceOf(GatewayRequestError);
    }
    await expect(gateway.capture(input(99))).rejects.toBeInstanceOf(GatewayRequestError);
    expect(await charge(reference)).toEqual(row);
  });
});

describe('manual capture with TEST_PROCESSING_DELAY (e2e)', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('authorizes a manual test payment by itself after the delay (an automatic one succeeds); capture then settles it', async () => {
    t = await createTestApp({
      env: {
        ...FAST_INBOUND_ENV,
        TEST_MODE: 'true',
        TEST_PROCESSING_DELAY: '1s',
        TEST_PAYMENT_SUCCESS: 'true',
      },
    });
    const who = await signIn(t, 'auto.capture@example.com');
    const start = async (capture: 'manual' | 'automatic'): Promise<string> =>
      (
        await request(t.url)
          .post(`${API}/payments`)
          .set(who.authHeader)
          .send({
            amount: 4_200,
            currency: 'NGN',
            email: 'p@example.com',
            gateway: 'test',
            capture,
          })
          .expect(201)
      ).body.reference as string;
    const manual = await start('manual');
    const automatic = await start('automatic');
    const statusOf = async (reference: string): Promise<string> =>
      (await request(t.url).get(`${API}/payments/${reference}`).set(who.authHeader).expect(200))
        .body.status as string;
    await waitFor(
      () => statusOf(manual),
      (s) => s === 'authorized',
    );
    await waitFor(
      () => statusOf(automatic),
      (s) => s === 'succeeded',
    );
    expect(await eventStatus(t, 'test', `evt_test_${manual}_authorized`)).toBe('processed');
    const captured = await request(t.url)
      .post(`${API}/payments/${manual}/capture`)
      .set(who.authHeader)
      .send({})
      .expect(200);
    expect(captured.body).toMatchObject({ status: 'succeeded', amount_received: 4_200 });
    await waitFor(
      () => eventStatus(t, 'test', `evt_test_${manual}_succeeded`),
      (s) => s === 'processed',
    );
  });
});
