import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { WalletService } from '../../src/modules/wallet/wallet.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import { PgProxy } from '../helpers/pg-proxy.js';
import {
  createTestApp,
  createTestDatabase,
  PG_ADMIN_URL,
  TestApp,
  TestDatabase,
} from '../helpers/test-env.js';
import { fundWallet } from '../integration/ledger-fixtures.js';
import { createPayment, dataSource, paymentsEnv, waitFor } from './payments.helpers.js';

interface Person extends SignedIn {
  walletNumber: string;
  accountId: string;
}

const IN_FLIGHT_TIMEOUT_MS = 4_000;

/**
 * SPEC §10: a key's outcome commits with the change it made. The app reaches PostgreSQL through a
 * TCP proxy that lets a money statement (or COMMIT) through and cuts the connection as the
 * server's answer begins: the change committed, the client hears a 5xx. The retry with the same
 * key must replay what committed and never move money a second time. A request that died before
 * changing anything leaves its key in flight; IDEMPOTENCY_IN_FLIGHT_TIMEOUT later a retry takes
 * the key over and runs once.
 */
describe('Idempotency-Key when the database reply is lost (e2e, TCP proxy)', () => {
  let db: TestDatabase;
  let proxy: PgProxy;
  let paystack: FakePaystack;
  let t: TestApp;
  /** The test's own connection, straight to PostgreSQL (never through the proxy). */
  let direct: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    const server = new URL(PG_ADMIN_URL);
    proxy = await new PgProxy({ host: server.hostname, port: Number(server.port || 5432) }).start();
    paystack = await new FakePaystack().start();
    const generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      db,
      env: {
        ...paymentsEnv(paystack, generic.secret, {
          REFUND_BACKOFF: '100ms',
          // an accepted refund whose job was never enqueued (its request's reply was lost) is
          // picked up by the sweeper
          REFUND_RECONCILE_INTERVAL: '1s',
          REFUND_SWEEP_AFTER: '1s',
          REFUND_POLL_INTERVAL: '1h',
        }),
        IDEMPOTENCY_IN_FLIGHT_TIMEOUT: `${IN_FLIGHT_TIMEOUT_MS}ms`,
        DATABASE_URL: proxy.url(db.name),
      },
    });
    direct = new pg.Client({ connectionString: db.url });
    await direct.connect();
  });

  afterAll(async () => {
    await direct?.end().catch(() => undefined);
    await t?.close();
    await proxy?.stop();
    await db?.drop();
    await paystack?.stop();
  });

  afterEach(() => {
    proxy.restore();
    expect(proxy.armed).toBe(0);
  });

  async function query<T>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await direct.query(text, params)).rows as T[];
  }

  async function person(balance: number): Promise<Person> {
    const signed = await signIn(t, `lost-reply-${randomUUID()}@example.com`);
    if (balance > 0) {
      await dataSource(t).transaction((m) =>
        fundWallet(m, t.get<WalletService>(WalletService), signed.userId, balance),
      );
    }
    const [account] = await query<{ id: string; wallet_number: string }>(
      `SELECT id, wallet_number FROM ledger_accounts WHERE user_id = $1`,
      [signed.userId],
    );
    return { ...signed, walletNumber: account.wallet_number, accountId: account.id };
  }

  async function balanceOf(p: Person): Promise<number> {
    const [row] = await query<{ balance: string }>(
      `SELECT balance FROM ledger_accounts WHERE id = $1`,
      [p.accountId],
    );
    return Number(row.balance);
  }

  /** Transfers that took money out of the wallet. */
  async function transfersFrom(p: Person): Promise<{ reference: string; amount: string }[]> {
    return query(
      `SELECT t.reference, -e.amount AS amount
         FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id
        WHERE e.account_id = $1 AND t.kind = 'transfer' AND e.amount < 0 ORDER BY e.id`,
      [p.accountId],
    );
  }

  function transfer(from: Person, to: Person, amount: number, key: string) {
    return request(t.url)
      .post('/api/v1/wallet/transfer')
      .set(from.authHeader)
      .set('Idempotency-Key', key)
      .send({ wallet_number: to.walletNumber, amount })
      .timeout(20_000);
  }

  async function expectLedgerClean(): Promise<void> {
    const report = await t.get<LedgerCheckService>(LedgerCheckService).run();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  }

  /** After the proxy dropped connections, waits until the pool serves requests again. */
  async function poolServes(p: Person): Promise<void> {
    await waitFor(
      async () =>
        (await request(t.url).get('/api/v1/wallet/balance').set(p.authHeader).timeout(10_000))
          .status,
      (status) => status === 200,
    );
  }

  it('replays a transfer whose commit reply was lost and debits the sender once', async () => {
    const alice = await person(50_000);
    const bob = await person(0);
    const key = `lost-transfer-${randomUUID()}`;

    const cut = proxy.cutReplyTo({ statement: /wallet_transfer/ });
    const first = await transfer(alice, bob, 20_000, key);
    expect(await cut).toMatch(/wallet_transfer/);
    expect(first.status).toBeGreaterThanOrEqual(500);
    expect(first.body.request_id).toBe(first.headers['x-request-id']);

    // The transfer committed: the client just never heard so.
    const posted = await transfersFrom(alice);
    expect(posted).toEqual([{ reference: expect.stringMatching(/^TRF-/), amount: '20000' }]);

    await poolServes(alice);
    const retry = await transfer(alice, bob, 20_000, key).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual({
      reference: posted[0].reference,
      status: 'success',
      amount: 20_000,
      currency: 'NGN',
      recipient_wallet_number: bob.walletNumber,
    });
    const again = await transfer(alice, bob, 20_000, key).expect(201);
    expect(again.body).toEqual(retry.body);

    expect(await transfersFrom(alice)).toEqual(posted);
    expect(await balanceOf(alice)).toBe(30_000);
    expect(await balanceOf(bob)).toBe(20_000);
    const [events] = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events WHERE type = 'wallet.transfer.received' AND user_id = $1`,
      [bob.userId],
    );
    expect(events.n).toBe(1);
    await expectLedgerClean();
  });

  it('replays a refund whose COMMIT reply was lost; Paystack is asked for one refund', async () => {
    const alice = await person(0);
    const created = await createPayment(t, alice.authHeader, {
      amount: 100_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markPaid(created.reference);
    await request(t.url)
      .post(`/api/v1/payments/${created.reference}/verify`)
      .set(alice.authHeader)
      .expect(200);
    const key = `lost-refund-${randomUUID()}`;
    const refund = () =>
      request(t.url)
        .post(`/api/v1/payments/${created.reference}/refunds`)
        .set(alice.authHeader)
        .set('Idempotency-Key', key)
        .send({ amount: 30_000, reason: 'returned' })
        .timeout(20_000);
    const refundsOfPayment = () =>
      query<{ id: string; gateway_refund_id: string | null }>(
        `SELECT id, gateway_refund_id FROM refunds WHERE payment_reference = $1 ORDER BY created_at`,
        [created.reference],
      );

    const cut = proxy.cutReplyTo({
      statement: /^COMMIT/i,
      inTransactionWith: /INSERT INTO "refunds"/,
    });
    const first = await refund();
    expect(await cut).toMatch(/^COMMIT/i);
    expect(first.status).toBeGreaterThanOrEqual(500);
    const committed = await refundsOfPayment();
    expect(committed).toHaveLength(1);

    await poolServes(alice);
    const retry = await refund().expect(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual({
      id: committed[0].id,
      payment_reference: created.reference,
      amount: 30_000,
      currency: 'NGN',
      status: 'pending',
      reason: 'returned',
      created_at: expect.any(String),
    });

    // The refund's job was never enqueued (its request failed after the commit): the sweeper
    // sends it. Wait until every refund of the payment has reached Paystack.
    const settled = await waitFor(refundsOfPayment, (rows) =>
      rows.every((row) => row.gateway_refund_id !== null),
    );
    expect(settled.map((row) => row.id)).toEqual([committed[0].id]);
    const atPaystack = [...paystack.refunds.values()].filter(
      (r) => r.transactionReference === created.reference,
    );
    expect(atPaystack.map((r) => r.amount)).toEqual([30_000]);
    const [payment] = await query<{ amount_refunded: string }>(
      `SELECT amount_refunded FROM payments WHERE reference = $1`,
      [created.reference],
    );
    expect(Number(payment.amount_refunded)).toBe(30_000);
    await expectLedgerClean();
  });

  interface StartCase {
    route: string;
    body: () => Record<string, unknown>;
    /** A statement of the transaction that records the outcome, whose COMMIT reply is cut. */
    writes: RegExp;
    /** What the request created, as the database holds it. */
    created: (p: Person, body: Record<string, unknown>) => Promise<Record<string, unknown>[]>;
  }

  const paymentsOf = (p: Person, purpose: string) =>
    query<Record<string, unknown>>(
      `SELECT reference, authorization_url FROM payments WHERE user_id = $1 AND purpose = $2`,
      [p.userId, purpose],
    );

  it.each<[string, StartCase]>([
    [
      'POST /wallet/deposit',
      {
        route: '/api/v1/wallet/deposit',
        body: () => ({ amount: 25_000 }),
        writes: /UPDATE "payments"/,
        created: (p) => paymentsOf(p, 'wallet_deposit'),
      },
    ],
    [
      'POST /payments',
      {
        route: '/api/v1/payments',
        body: () => ({
          amount: 12_000,
          currency: 'NGN',
          email: 'payer@example.com',
          gateway: 'paystack',
        }),
        writes: /UPDATE "payments"/,
        created: (p) => paymentsOf(p, 'payment'),
      },
    ],
    [
      'POST /orders',
      {
        route: '/api/v1/orders',
        body: () => ({ amount: 9_000, currency: 'NGN', receipt: `rcpt-${randomUUID()}` }),
        writes: /INSERT INTO "orders"/,
        created: (p, body) =>
          query(`SELECT id FROM orders WHERE user_id = $1 AND receipt = $2`, [
            p.userId,
            body.receipt,
          ]),
      },
    ],
  ])(
    '%s: a retry after a lost COMMIT reply replays what committed and starts nothing new',
    async (_, c) => {
      const alice = await person(0);
      const key = `lost-start-${randomUUID()}`;
      const body = c.body();
      const send = () =>
        request(t.url)
          .post(c.route)
          .set(alice.authHeader)
          .set('Idempotency-Key', key)
          .send(body)
          .timeout(20_000);
      const initializeCalls = paystack.callCount('POST /transaction/initialize');

      const cut = proxy.cutReplyTo({ statement: /^COMMIT/i, inTransactionWith: c.writes });
      const first = await send();
      expect(await cut).toMatch(/^COMMIT/i);
      expect(first.status).toBeGreaterThanOrEqual(500);
      const committed = await c.created(alice, body);
      expect(committed).toHaveLength(1);

      await poolServes(alice);
      const retry = await send().expect(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toMatchObject(
        'reference' in committed[0] ? committed[0] : { id: committed[0].id },
      );
      expect(await c.created(alice, body)).toEqual(committed);
      const initialized = c.route === '/api/v1/orders' ? 0 : 1;
      expect(paystack.callCount('POST /transaction/initialize') - initializeCalls).toBe(
        initialized,
      );
    },
  );

  it('keeps the key of a request that died before changing anything until the in-flight timeout, then lets a retry take it over and run once', async () => {
    const alice = await person(50_000);
    const bob = await person(0);
    const key = `died-${randomUUID()}`;

    // The transfer statement never reaches the database, and the database stays unreachable
    // while the request fails, so its key cannot be released either.
    const blackout = proxy.blackoutAt({ statement: /wallet_transfer/ });
    const started = Date.now();
    const first = await transfer(alice, bob, 20_000, key);
    expect(await blackout).toMatch(/wallet_transfer/);
    expect(first.status).toBeGreaterThanOrEqual(500);
    proxy.restore();
    const [left] = await query<{ status: string }>(
      `SELECT status FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [alice.userId, key],
    );
    expect(left.status).toBe('in_flight');
    await poolServes(alice);

    // Within the timeout the key is still taken: the first request might yet be running.
    const early = await transfer(alice, bob, 20_000, key);
    expect(Date.now() - started).toBeLessThan(IN_FLIGHT_TIMEOUT_MS);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(await balanceOf(alice)).toBe(50_000);

    await new Promise((resolve) =>
      setTimeout(resolve, IN_FLIGHT_TIMEOUT_MS + 500 - (Date.now() - started)),
    );
    const retry = await transfer(alice, bob, 20_000, key).expect(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    const again = await transfer(alice, bob, 20_000, key).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(retry.body);

    expect(await transfersFrom(alice)).toEqual([
      { reference: retry.body.reference, amount: '20000' },
    ]);
    expect(await balanceOf(alice)).toBe(30_000);
    expect(await balanceOf(bob)).toBe(20_000);
    await expectLedgerClean();
  });
});
