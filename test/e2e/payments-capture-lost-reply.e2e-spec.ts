import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { FakeStripe } from '../fakes/fake-stripe.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { PgProxy } from '../helpers/pg-proxy.js';
import {
  createTestApp,
  createTestDatabase,
  PG_ADMIN_URL,
  type TestApp,
  type TestDatabase,
} from '../helpers/test-env.js';
import { FAST_INBOUND_ENV, paymentStatus, sql, waitFor } from './payments.helpers.js';

/**
 * SPEC §10 and §15: a capture's Idempotency-Key answer commits in the settlement transaction of
 * the capture. The app reaches PostgreSQL through a TCP proxy that lets that COMMIT through and
 * cuts the connection as its answer begins: the capture committed, the client hears a 5xx. The
 * retry with the same key replays the committed answer; nothing reaches Stripe again.
 */
describe('capture when the database reply is lost (e2e, TCP proxy)', () => {
  let db: TestDatabase;
  let proxy: PgProxy;
  let stripe: FakeStripe;
  let t: TestApp;
  let alice: SignedIn;

  beforeAll(async () => {
    db = await createTestDatabase();
    const server = new URL(PG_ADMIN_URL);
    proxy = await new PgProxy({ host: server.hostname, port: Number(server.port || 5432) }).start();
    stripe = await new FakeStripe().start();
    t = await createTestApp({
      db,
      env: { ...stripe.env(), ...FAST_INBOUND_ENV, DATABASE_URL: proxy.url(db.name) },
    });
    alice = await signIn(t, 'alice.lost-capture@example.com');
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
    await db?.drop();
    await stripe?.stop();
  });

  afterEach(() => {
    proxy.restore();
    expect(proxy.armed).toBe(0);
  });

  it('replays the committed capture to a retry with the same Idempotency-Key: one capture at Stripe', async () => {
    const created = await request(t.url)
      .post('/api/v1/payments')
      .set(alice.authHeader)
      .send({
        amount: 9_000,
        currency: 'EUR',
        gateway: 'stripe',
        email: 'p@example.com',
        capture: 'manual',
      })
      .expect(201);
    const reference = created.body.reference as string;
    const sessionId = stripe.sessionByReference(reference).id as string;
    const intentId = stripe.pay(sessionId).id as string;
    await stripe.sendWebhook(
      t.url,
      stripe.paymentIntentEvent('payment_intent.amount_capturable_updated', sessionId),
    );
    await waitFor(
      () => paymentStatus(t, reference),
      (status) => status === 'authorized',
    );

    const key = `lost-capture-${randomUUID()}`;
    const send = () =>
      request(t.url)
        .post(`/api/v1/payments/${reference}/capture`)
        .set(alice.authHeader)
        .set('Idempotency-Key', key)
        .send({ amount: 4_000 })
        .timeout(20_000);

    const cut = proxy.cutReplyTo({
      statement: /^COMMIT/i,
      inTransactionWith: /INSERT INTO payment_audit_entries/,
    });
    const first = await send();
    expect(await cut).toMatch(/^COMMIT/i);
    expect(first.status).toBeGreaterThanOrEqual(500);
    const [row] = await sql<{ status: string; amount_received: string }>(
      t,
      `SELECT status, amount_received FROM payments WHERE reference = $1`,
      [reference],
    );
    expect(row).toEqual({ status: 'succeeded', amount_received: '4000' });

    const retry = await waitFor(
      () => send(),
      (res) => res.status < 500,
    );
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toMatchObject({ reference, status: 'succeeded', amount_received: 4_000 });
    expect(
      stripe.server.count('POST', new RegExp(`^/v1/payment_intents/${intentId}/capture$`)),
    ).toBe(1);
  });
});
