import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { UsersService } from '../../src/modules/users/users.service.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { batchArguments, type TransferPosting } from '../../src/modules/wallet/transfer-poster.js';
import { newTransferReference, WalletService } from '../../src/modules/wallet/wallet.service.js';
import { newEventId } from '../../src/modules/outbound-webhooks/outbox.service.js';
import { signIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { fundWallet } from './ledger-fixtures.js';

/**
 * What the database itself holds to, whatever SQL reaches it: wallet_transfer() and its batch
 * refuse an amount that is not positive; a wallet's history (by entry id) never shows a newer
 * entry with an older time, even when a posting that started first commits last.
 */
describe('wallet SQL guards (integration, real Postgres)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let wallets: WalletService;
  let sql: pg.Client;

  beforeAll(async () => {
    t = await createTestApp();
    dataSource = t.get<DataSource>(getDataSourceToken());
    wallets = t.get<WalletService>(WalletService);
    sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await t?.close();
  });

  async function wallet(balance: number): Promise<{ userId: string; accountId: string }> {
    const user = await t
      .get<UsersService>(UsersService)
      .findOrCreateByEmail(`sql-guard-${randomUUID()}@example.com`);
    if (balance > 0) await dataSource.transaction((m) => fundWallet(m, wallets, user.id, balance));
    const { rows } = await sql.query<{ id: string }>(
      `SELECT id FROM ledger_accounts WHERE user_id = $1`,
      [user.id],
    );
    return { userId: user.id, accountId: rows[0].id };
  }

  const balances = async (ids: string[]): Promise<number[]> => {
    const { rows } = await sql.query<{ id: string; balance: string }>(
      `SELECT id, balance FROM ledger_accounts WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return ids.map((id) => Number(rows.find((row) => row.id === id)?.balance));
  };

  const posting = (senderId: string, recipientId: string, amount: number): TransferPosting => ({
    senderId,
    recipientId,
    amount,
    reference: newTransferReference(),
    narration: null,
    eventId: newEventId(),
  });

  const sqlStateOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'no error',
      (error: { code?: string; message: string }) => `${error.code}: ${error.message}`,
    );

  it.each([-500, 0])(
    'wallet_transfer() refuses an amount of %d: nothing moves, whoever holds the money',
    async (amount) => {
      // A negative amount from an empty wallet would have taken the money from the "recipient".
      const sender = await wallet(0);
      const recipient = await wallet(1_000);
      const p = posting(sender.accountId, recipient.accountId, amount);
      expect(
        await sqlStateOf(
          sql.query(`SELECT * FROM wallet_transfer($1, $2, $3, $4, $5, $6)`, [
            p.senderId,
            p.recipientId,
            p.amount,
            p.reference,
            p.narration,
            p.eventId,
          ]),
        ),
      ).toBe('LD002: a wallet transfer amount must be positive');
      expect(await balances([sender.accountId, recipient.accountId])).toEqual([0, 1_000]);
      const { rows } = await sql.query(`SELECT 1 FROM ledger_transfers WHERE reference = $1`, [
        p.reference,
      ]);
      expect(rows).toEqual([]);
    },
  );

  it('wallet_transfer_batch() refuses a batch holding a non-positive amount, posting none of it', async () => {
    const a = await wallet(1_000);
    const b = await wallet(1_000);
    const batch = [posting(a.accountId, b.accountId, 100), posting(a.accountId, b.accountId, -900)];
    expect(
      await sqlStateOf(
        sql.query(
          `SELECT * FROM wallet_transfer_batch($1, $2, $3, $4, $5, $6)`,
          batchArguments(batch),
        ),
      ),
    ).toBe('LD002: a wallet transfer amount must be positive');
    expect(await balances([a.accountId, b.accountId])).toEqual([1_000, 1_000]);
    expect((await t.get<LedgerCheckService>(LedgerCheckService).run()).problems).toEqual([]);
  });

  it('keeps the plan settings of both functions (index scans only, one generic plan)', async () => {
    // Each has two overloads: the six-argument one and the one completing Idempotency-Key claims.
    const { rows } = await sql.query<{ proname: string; proconfig: string[] }>(
      `SELECT proname, proconfig FROM pg_proc
        WHERE proname IN ('wallet_transfer', 'wallet_transfer_batch') ORDER BY proname, pronargs`,
    );
    expect(rows).toEqual(
      ['wallet_transfer', 'wallet_transfer', 'wallet_transfer_batch', 'wallet_transfer_batch'].map(
        (proname) => ({
          proname,
          proconfig: ['enable_seqscan=off', 'plan_cache_mode=force_generic_plan'],
        }),
      ),
    );
  });

  it('history times never increase down the list when a batch that started first posts last', async () => {
    // Account ids decide lock order: the batch locks `first` and waits there, not yet holding
    // `last`, while a transfer that starts after it pays into `last` and commits.
    // Each funded: which of them sends depends on how their ids sort.
    const made = [await wallet(1_000), await wallet(1_000), await wallet(1_000)];
    made.sort((x, y) => (x.accountId < y.accountId ? -1 : 1));
    const [first, middle, last] = made;
    const holder = new pg.Client({ connectionString: t.db.url });
    const batcher = new pg.Client({ connectionString: t.db.url });
    await holder.connect();
    await batcher.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM ledger_accounts WHERE id = $1 FOR UPDATE`, [
        first.accountId,
      ]);
      const batch = batcher.query(
        `SELECT * FROM wallet_transfer_batch($1, $2, $3, $4, $5, $6)`,
        batchArguments([posting(first.accountId, last.accountId, 300)]),
      );
      // The batch's statement (and its transaction) has started and is waiting for the lock.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await sql.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%wallet_transfer_batch%'
             AND pid <> pg_backend_pid()`,
        );
        if (rows.length > 0) break;
        if (Date.now() > deadline) throw new Error('the batch never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 30));
      const later = posting(middle.accountId, last.accountId, 200);
      await sql.query(`SELECT * FROM wallet_transfer($1, $2, $3, $4, $5, $6)`, [
        later.senderId,
        later.recipientId,
        later.amount,
        later.reference,
        later.narration,
        later.eventId,
      ]);
      await new Promise((resolve) => setTimeout(resolve, 30));
      await holder.query('COMMIT');
      expect((await batch).rows).toEqual([expect.objectContaining({ outcome: 'created' })]);
    } finally {
      await holder.end();
      await batcher.end();
    }

    const owner = await signIn(
      t,
      (await t.get<UsersService>(UsersService).findById(last.userId))!.email,
    );
    const res = await request(t.url)
      .get('/api/v1/wallet/transactions')
      .set(owner.authHeader)
      .expect(200);
    const listed = res.body.transactions as { amount: number; created_at: string }[];
    // Newest first by posting order: the batch's 300 was posted after the 200 (then the funding).
    expect(listed.map((tx) => tx.amount)).toEqual([300, 200, 1_000]);
    const times = listed.map((tx) => Date.parse(tx.created_at));
    expect(times[0]).toBeGreaterThanOrEqual(times[1]);
    expect(times[1]).toBeGreaterThanOrEqual(times[2]);
  });
});
