import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AppError } from '../../src/common/errors/app-error.js';
import {
  claimJson,
  IDEMPOTENCY_KEY_LOST,
  type IdempotencyClaim,
} from '../../src/http/idempotency/idempotency-claim.js';
import { IdempotencyService, requestHash } from '../../src/http/idempotency/idempotency.service.js';
import { queryRows } from '../../src/database/sql.js';
import { OrdersService } from '../../src/modules/payments/orders/orders.service.js';
import { toOrderDto } from '../../src/modules/payments/orders/order.dto.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import {
  batchArguments,
  TransferPoster,
  type TransferPosting,
} from '../../src/modules/wallet/transfer-poster.js';
import { newTransferReference, WalletService } from '../../src/modules/wallet/wallet.service.js';
import { newEventId } from '../../src/modules/outbound-webhooks/outbox.service.js';
import { waitFor } from '../e2e/payments.helpers.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { fundWallet } from './ledger-fixtures.js';

const IN_FLIGHT_TIMEOUT_MS = 1_000;
const PATH = '/api/v1/probe';
const BODY = { amount: 1 };

interface KeyRow {
  status: string;
  attempt: string | null;
  response_status: number | null;
  response_body: unknown;
}

/**
 * The Idempotency-Key's holder and its races, against the real Postgres (READ COMMITTED): the
 * change's transaction completes the key only while its attempt holds it, and a release or a
 * takeover on another connection that meets a committing change waits for it and leaves what
 * committed alone.
 */
describe('Idempotency-Key holders (integration, real Postgres)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let keys: IdempotencyService;
  let userId: string;
  /** Plays the money transaction that is committing. */
  let committer: pg.Client;
  let observer: pg.Client;

  beforeAll(async () => {
    t = await createTestApp({
      env: { IDEMPOTENCY_IN_FLIGHT_TIMEOUT: `${IN_FLIGHT_TIMEOUT_MS}ms` },
    });
    dataSource = t.get<DataSource>(getDataSourceToken());
    keys = t.get<IdempotencyService>(IdempotencyService);
    userId = (await t.get<UsersService>(UsersService).findOrCreateByEmail('holders@example.com'))
      .id;
    committer = new pg.Client({ connectionString: t.db.url });
    observer = new pg.Client({ connectionString: t.db.url });
    await committer.connect();
    await observer.connect();
  });

  afterAll(async () => {
    await committer?.end();
    await observer?.end();
    await t?.close();
  });

  async function start(key: string, user = userId): Promise<IdempotencyClaim> {
    const begun = await keys.begin(user, key, 'POST', PATH, requestHash('POST', PATH, BODY), 201);
    if (begun.kind !== 'started') throw new Error(`expected to hold ${key}, got a replay`);
    return begun.claim;
  }

  async function row(key: string, user = userId): Promise<KeyRow | undefined> {
    const { rows } = await observer.query<KeyRow>(
      `SELECT status, attempt, response_status, response_body FROM idempotency_keys
        WHERE user_id = $1 AND key = $2`,
      [user, key],
    );
    return rows[0];
  }

  /** Waits until a statement of the app on idempotency_keys is blocked on a row lock. */
  async function blockedOnKeyRow(verb: 'DELETE' | 'INSERT'): Promise<void> {
    await waitFor(
      async () =>
        (
          await observer.query(
            `SELECT pid FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND query LIKE $1`,
            [`${verb}%idempotency_keys%`],
          )
        ).rowCount,
      (count) => count === 1,
      10_000,
    );
  }

  const stale = (): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_TIMEOUT_MS + 200));

  it('a release that meets the key being completed by a committing change waits, then leaves it completed', async () => {
    const key = `release-commit-${randomUUID()}`;
    const claim = await start(key);
    await committer.query('BEGIN');
    await committer.query(`SELECT idempotency_complete($1::jsonb)`, [
      claimJson(claim, { reference: 'TRF-1' }),
    ]);
    const released = keys.release(claim);
    await blockedOnKeyRow('DELETE');
    await committer.query('COMMIT');
    await released;
    expect(await row(key)).toMatchObject({
      status: 'completed',
      response_status: 201,
      response_body: { reference: 'TRF-1' },
    });
    // and the retry replays it
    const again = await keys.begin(userId, key, 'POST', PATH, requestHash('POST', PATH, BODY), 201);
    expect(again).toEqual({
      kind: 'replay',
      response: { status: 201, body: { reference: 'TRF-1' } },
    });
  });

  it('a release that meets a change rolling back frees the key', async () => {
    const key = `release-rollback-${randomUUID()}`;
    const claim = await start(key);
    await committer.query('BEGIN');
    await committer.query(`SELECT idempotency_complete($1::jsonb)`, [claimJson(claim, {})]);
    const released = keys.release(claim);
    await blockedOnKeyRow('DELETE');
    await committer.query('ROLLBACK');
    await released;
    expect(await row(key)).toBeUndefined();
  });

  it('a takeover that meets a committing change waits, then replays what committed', async () => {
    const key = `takeover-commit-${randomUUID()}`;
    const claim = await start(key);
    await stale();
    await committer.query('BEGIN');
    await committer.query(`SELECT idempotency_complete($1::jsonb)`, [
      claimJson(claim, { reference: 'TRF-2' }),
    ]);
    const retried = keys.begin(userId, key, 'POST', PATH, requestHash('POST', PATH, BODY), 201);
    await blockedOnKeyRow('INSERT');
    await committer.query('COMMIT');
    expect(await retried).toEqual({
      kind: 'replay',
      response: { status: 201, body: { reference: 'TRF-2' } },
    });
  });

  it('a key in flight for less than the timeout answers 409; past it, the retry takes it over', async () => {
    const key = `timeout-${randomUUID()}`;
    const first = await start(key);
    await expect(start(key)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
    await stale();
    const second = await start(key);
    expect(second.attempt).not.toBe(first.attempt);
    expect((await row(key))?.attempt).toBe(second.attempt);
    // A different body never takes a key over, however old.
    await expect(
      keys.begin(userId, key, 'POST', PATH, requestHash('POST', PATH, { amount: 2 }), 201),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it("rolls back a change whose key another attempt took over, and leaves that attempt's key alone", async () => {
    const key = `lost-${randomUUID()}`;
    const original = await start(key);
    await stale();
    const retry = await start(key);

    const orders = t.get<OrdersService>(OrdersService);
    const input = { amount: 5_000, currency: 'NGN', receipt: `rcpt-${randomUUID()}` };
    const failure = await orders
      .create(userId, input, { claim: original, respond: toOrderDto })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_IN_USE' });
    const { rows } = await observer.query(`SELECT id FROM orders WHERE receipt = $1`, [
      input.receipt,
    ]);
    expect(rows).toEqual([]);
    // The original attempt's after-the-fact writes do not touch the retry's key either.
    await keys.complete(original, { status: 409, body: {} });
    await keys.release(original);
    expect(await row(key)).toMatchObject({ status: 'in_flight', attempt: retry.attempt });

    const created = await orders.create(userId, input, { claim: retry, respond: toOrderDto });
    expect(await row(key)).toMatchObject({
      status: 'completed',
      response_status: 201,
      response_body: toOrderDto(created),
    });
  });

  it('refuses to complete a claim outside a transaction', async () => {
    const claim = await start(`outside-${randomUUID()}`);
    await expect(keys.completeWithin(dataSource.manager, claim, {})).rejects.toThrow(
      /inside the transaction/,
    );
  });

  describe('wallet transfers', () => {
    let wallets: WalletService;
    let users: UsersService;

    beforeAll(() => {
      wallets = t.get<WalletService>(WalletService);
      users = t.get<UsersService>(UsersService);
    });

    async function wallet(balance: number): Promise<{ userId: string; accountId: string }> {
      const user = await users.findOrCreateByEmail(`holder-${randomUUID()}@example.com`);
      if (balance > 0)
        await dataSource.transaction((m) => fundWallet(m, wallets, user.id, balance));
      const { rows } = await observer.query<{ id: string }>(
        `SELECT id FROM ledger_accounts WHERE user_id = $1`,
        [user.id],
      );
      return { userId: user.id, accountId: rows[0].id };
    }

    const balanceOf = async (accountId: string): Promise<number> =>
      Number(
        (
          await observer.query<{ balance: string }>(
            `SELECT balance FROM ledger_accounts WHERE id = $1`,
            [accountId],
          )
        ).rows[0].balance,
      );

    function posting(
      senderId: string,
      recipientId: string,
      amount: number,
      claim: IdempotencyClaim | null,
    ): TransferPosting {
      const reference = newTransferReference();
      return {
        senderId,
        recipientId,
        amount,
        reference,
        narration: null,
        eventId: newEventId(),
        idempotency: claimJson(claim, { reference }),
      };
    }

    it('completes each created transfer’s key in the batch statement, and only those', async () => {
      const [a, b] = [await wallet(1_000), await wallet(0)];
      const claims = [
        await start(`batch-1-${randomUUID()}`, a.userId),
        await start(`batch-2-${randomUUID()}`, a.userId),
      ];
      const batch = [
        posting(a.accountId, b.accountId, 700, claims[0]),
        posting(a.accountId, b.accountId, 400, claims[1]), // 300 left: insufficient
        posting(a.accountId, b.accountId, 100, null),
      ];
      const { rows } = await observer.query<{ ord: number; outcome: string }>(
        `SELECT ord, outcome FROM wallet_transfer_batch($1, $2, $3, $4, $5, $6, $7)`,
        [...batchArguments(batch), batch.map((p) => p.idempotency)],
      );
      expect(rows.map((r) => r.outcome)).toEqual(['created', 'insufficient_funds', 'created']);
      expect(await row(claims[0].key, a.userId)).toMatchObject({
        status: 'completed',
        response_status: 201,
        response_body: { reference: batch[0].reference },
      });
      expect(await row(claims[1].key, a.userId)).toMatchObject({ status: 'in_flight' });
      expect(await balanceOf(a.accountId)).toBe(200);
    });

    it('rolls the whole batch statement back when a key was taken over; the poster then posts the others one by one', async () => {
      const [a, b] = [await wallet(1_000), await wallet(0)];
      const held = await start(`held-${randomUUID()}`, a.userId);
      const lostKey = `taken-${randomUUID()}`;
      const lost = await start(lostKey, a.userId);
      await stale();
      const newer = await start(lostKey, a.userId);
      const batch = [
        posting(a.accountId, b.accountId, 100, held),
        posting(a.accountId, b.accountId, 200, lost),
        posting(a.accountId, b.accountId, 300, null),
      ];
      const failure = await observer
        .query(`SELECT ord, outcome FROM wallet_transfer_batch($1, $2, $3, $4, $5, $6, $7)`, [
          ...batchArguments(batch),
          batch.map((p) => p.idempotency),
        ])
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: IDEMPOTENCY_KEY_LOST });
      expect(await balanceOf(a.accountId)).toBe(1_000);
      expect(await row(held.key, a.userId)).toMatchObject({ status: 'in_flight' });

      const poster = new TransferPoster((sql, params) =>
        queryRows(dataSource.manager, sql, params),
      );
      const warmup = posting(a.accountId, b.accountId, 1, null);
      // A lone first posting, then three in one turn of the event loop: they share a batch.
      const results = await Promise.allSettled([warmup, ...batch].map((p) => poster.post(p)));
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      expect(await balanceOf(a.accountId)).toBe(1_000 - 1 - 100 - 300);
      expect(await row(held.key, a.userId)).toMatchObject({ status: 'completed' });
      expect(await row(lostKey, a.userId)).toMatchObject({
        status: 'in_flight',
        attempt: newer.attempt,
      });
      expect((await t.get<LedgerCheckService>(LedgerCheckService).run()).problems).toEqual([]);
    });
  });
});
