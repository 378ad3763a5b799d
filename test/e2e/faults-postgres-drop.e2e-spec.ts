import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { WalletService } from '../../src/modules/wallet/wallet.service.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { fundWallet } from '../integration/ledger-fixtures.js';
import { dataSource, sql, waitFor } from './payments.helpers.js';

interface Person extends SignedIn {
  walletNumber: string;
  accountId: string;
}

/**
 * A Postgres connection dropped while a transfer is inside its transaction: the test holds the
 * recipient's ledger row lock from its own connection so the transfer waits in the database, finds
 * the app's backend in pg_stat_activity and terminates it. The client must get a 5xx in the SPEC
 * error shape (not a hang), no money may move, and the pool must serve the next transfer.
 */
describe('a Postgres connection dropped during a transfer (e2e)', () => {
  let t: TestApp;
  /** Holds row locks in an open transaction. */
  let locker: pg.Client;
  /** Watches pg_stat_activity; outside any transaction, which would freeze its snapshot. */
  let observer: pg.Client;

  beforeAll(async () => {
    t = await createTestApp();
    locker = new pg.Client({ connectionString: t.db.url, application_name: 'fault-test-locker' });
    observer = new pg.Client({
      connectionString: t.db.url,
      application_name: 'fault-test-observer',
    });
    await locker.connect();
    await observer.connect();
  });

  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await observer?.end().catch(() => undefined);
    await t?.close();
  });

  async function person(balance: number): Promise<Person> {
    const signed = await signIn(t, `pgdrop-${randomUUID()}@example.com`);
    if (balance > 0) {
      await dataSource(t).transaction((m) =>
        fundWallet(m, t.get<WalletService>(WalletService), signed.userId, balance),
      );
    }
    const [account] = await sql<{ id: string; wallet_number: string }>(
      t,
      `SELECT id, wallet_number FROM ledger_accounts WHERE user_id = $1`,
      [signed.userId],
    );
    return { ...signed, walletNumber: account.wallet_number, accountId: account.id };
  }

  async function balanceOf(p: Person): Promise<number> {
    const res = await request(t.url).get('/api/v1/wallet/balance').set(p.authHeader).expect(200);
    return res.body.balance as number;
  }

  async function ledgerCounts(): Promise<{ transfers: number; entries: number; events: number }> {
    const [row] = await sql<{ transfers: number; entries: number; events: number }>(
      t,
      `SELECT (SELECT count(*)::int FROM ledger_transfers WHERE kind = 'transfer') AS transfers,
              (SELECT count(*)::int FROM ledger_entries) AS entries,
              (SELECT count(*)::int FROM events WHERE type = 'wallet.transfer.received') AS events`,
    );
    return row;
  }

  /** The app's backend running wallet_transfer(), once it is waiting on the test's row lock. */
  async function blockedTransferBackend(): Promise<number> {
    const rows = await waitFor(
      () =>
        observer
          .query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND query LIKE '%wallet_transfer(%' AND state = 'active' AND wait_event_type = 'Lock'`,
          )
          .then((result) => result.rows),
      (found) => found.length === 1,
      15_000,
    );
    return rows[0].pid;
  }

  it('answers a 5xx in the SPEC error shape, moves no money, and the next transfer succeeds on the same pool', async () => {
    const alice = await person(50_000);
    const bob = await person(10_000);
    const before = await ledgerCounts();
    const idempotencyKey = `pgdrop-${randomUUID()}`;

    // Hold bob's ledger row so the transfer waits inside its transaction, in the database.
    await locker.query('BEGIN');
    await locker.query(`SELECT id FROM ledger_accounts WHERE id = $1 FOR UPDATE`, [bob.accountId]);
    let answer: Response;
    try {
      const pending = fetch(`${t.url}/api/v1/wallet/transfer`, {
        method: 'POST',
        headers: {
          ...alice.authHeader,
          'content-type': 'application/json',
          'Idempotency-Key': idempotencyKey,
        },
        body: JSON.stringify({ wallet_number: bob.walletNumber, amount: 20_000 }),
        // A hang is a failure of its own: the request is aborted (and the test fails) after 15 s.
        signal: AbortSignal.timeout(15_000),
      });
      const pid = await blockedTransferBackend();
      const [terminated] = (
        await observer.query<{ ok: boolean }>(`SELECT pg_terminate_backend($1) AS ok`, [pid])
      ).rows;
      expect(terminated.ok).toBe(true);
      answer = await pending;
    } finally {
      await locker.query('ROLLBACK');
    }

    expect(answer.status).toBeGreaterThanOrEqual(500);
    expect(answer.status).toBeLessThan(600);
    const body = (await answer.json()) as Record<string, unknown>;
    expect(body).toEqual({
      status_code: answer.status,
      code: expect.any(String),
      message: expect.any(String),
      details: [],
      request_id: answer.headers.get('x-request-id'),
    });
    // The client is told nothing of the database's internals.
    expect(JSON.stringify(body)).not.toMatch(/terminat|administrator|postgres|wallet_transfer/i);

    // No money moved, nothing was recorded.
    expect(await balanceOf(alice)).toBe(50_000);
    expect(await balanceOf(bob)).toBe(10_000);
    expect(await ledgerCounts()).toEqual(before);
    const check = await t.get<LedgerCheckService>(LedgerCheckService).run();
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);

    // The pool dropped the dead connection and the per-wallet queue released both wallets: the
    // same request again (a 5xx is not kept for its Idempotency-Key) and another one both succeed.
    const retried = await request(t.url)
      .post('/api/v1/wallet/transfer')
      .set(alice.authHeader)
      .set('Idempotency-Key', idempotencyKey)
      .send({ wallet_number: bob.walletNumber, amount: 20_000 })
      .timeout(15_000);
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    const back = await request(t.url)
      .post('/api/v1/wallet/transfer')
      .set(bob.authHeader)
      .send({ wallet_number: alice.walletNumber, amount: 5_000 })
      .timeout(15_000);
    expect(back.status).toBe(201);

    expect(await balanceOf(alice)).toBe(35_000);
    expect(await balanceOf(bob)).toBe(25_000);
    const after = await ledgerCounts();
    expect(after.transfers - before.transfers).toBe(2);
    expect(after.events - before.events).toBe(2);
    expect((await t.get<LedgerCheckService>(LedgerCheckService).run()).ok).toBe(true);
  });

  it('fails a transfer cleanly when every pooled connection was dropped at once, then recovers', async () => {
    const alice = await person(30_000);
    const bob = await person(0);
    // Warm the pool, then cut every app connection (not the test's own).
    await request(t.url).get('/api/v1/wallet/balance').set(alice.authHeader).expect(200);
    const cut = await observer.query<{ pid: number }>(
      // The timeout makes each call wait until its backend has exited: on a busy machine a backend
      // signalled but not yet gone would still fail the request after the first with 57P01.
      `SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'payments-%'`,
    );
    expect(cut.rowCount).toBeGreaterThan(0);

    // Whatever the first request after the cut meets, it is a clean answer (the pool may already
    // have replaced its connections), and the money is right afterwards.
    const first = await request(t.url)
      .post('/api/v1/wallet/transfer')
      .set(alice.authHeader)
      .send({ wallet_number: bob.walletNumber, amount: 10_000 })
      .timeout(15_000);
    expect([201, 500, 503]).toContain(first.status);
    if (first.status !== 201) expect(first.body.request_id).toBe(first.headers['x-request-id']);
    const moved = first.status === 201 ? 10_000 : 0;

    await request(t.url)
      .post('/api/v1/wallet/transfer')
      .set(alice.authHeader)
      .send({ wallet_number: bob.walletNumber, amount: 10_000 })
      .timeout(15_000)
      .expect(201);
    expect(await balanceOf(alice)).toBe(30_000 - moved - 10_000);
    expect(await balanceOf(bob)).toBe(moved + 10_000);
    expect((await t.get<LedgerCheckService>(LedgerCheckService).run()).ok).toBe(true);
  });
});
