import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { queryRows } from '../../src/database/sql.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import {
  batchArguments,
  TransferPoster,
  type TransferPosting,
} from '../../src/modules/wallet/transfer-poster.js';
import { newTransferReference, WalletService } from '../../src/modules/wallet/wallet.service.js';
import { newEventId } from '../../src/modules/outbound-webhooks/outbox.service.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { fundWallet } from './ledger-fixtures.js';

/**
 * Transfers posted many to a statement (wallet_transfer_batch through TransferPoster), against
 * the real Postgres: each keeps its own outcome in order, one at fault fails alone, and the
 * ledger stays exact.
 */
describe('batched wallet transfers (integration, real Postgres)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let users: UsersService;
  let wallets: WalletService;
  let check: LedgerCheckService;
  let sql: pg.Client;

  beforeAll(async () => {
    t = await createTestApp();
    dataSource = t.get<DataSource>(getDataSourceToken());
    users = t.get(UsersService);
    wallets = t.get(WalletService);
    check = t.get(LedgerCheckService);
    sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await t?.close();
  });

  async function wallet(balance: number): Promise<string> {
    const user = await users.findOrCreateByEmail(`batch-${randomUUID()}@example.com`);
    if (balance > 0) await dataSource.transaction((m) => fundWallet(m, wallets, user.id, balance));
    const { rows } = await sql.query<{ id: string }>(
      `SELECT id FROM ledger_accounts WHERE user_id = $1`,
      [user.id],
    );
    return rows[0].id;
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

  it('posts a batch in order: a transfer sees the balances the earlier ones left', async () => {
    const [a, b, c] = [await wallet(1_000), await wallet(0), await wallet(0)];
    const batch = [posting(a, b, 700), posting(a, c, 400), posting(b, c, 700), posting(a, c, 300)];
    const { rows } = await sql.query<{ ord: number; outcome: string }>(
      `SELECT ord, outcome FROM wallet_transfer_batch($1, $2, $3, $4, $5, $6)`,
      batchArguments(batch),
    );
    expect(rows.map((row) => [row.ord, row.outcome])).toEqual([
      [1, 'created'],
      [2, 'insufficient_funds'], // 300 left after the first
      [3, 'created'], // b received 700 just before
      [4, 'created'],
    ]);
    expect(await balances([a, b, c])).toEqual([0, 0, 1_000]);
    const events = await sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM events WHERE id = ANY($1) AND type = 'wallet.transfer.received'`,
      [batch.map((p) => p.eventId)],
    );
    expect(Number(events.rows[0].n)).toBe(3);
    expect((await check.run()).problems).toEqual([]);
  });

  it('concurrent postings share batches and come out exactly as posted one by one', async () => {
    const poster = new TransferPoster((sql, params) => queryRows(dataSource.manager, sql, params));
    const ids = [
      await wallet(5_000),
      await wallet(5_000),
      await wallet(5_000),
      await wallet(5_000),
    ];
    const before = (await balances(ids)).reduce((sum, value) => sum + value, 0);
    // Each sender pays one of the three others; 120 × 150 is more than the 20,000 they hold.
    const attempts = Array.from({ length: 120 }, (_, i) =>
      posting(ids[i % 4], ids[(i + 1 + (i % 3)) % 4], 150),
    );
    const outcomes = await Promise.all(attempts.map((p) => poster.post(p)));

    expect(outcomes.filter((o) => o === 'created').length).toBeGreaterThan(0);
    const { rows } = await sql.query<{ reference: string; tx: string }>(
      `SELECT reference, xmin::text AS tx FROM ledger_transfers WHERE reference = ANY($1)`,
      [attempts.map((p) => p.reference)],
    );
    // Exactly the transfers answered 'created' exist, each once.
    expect(rows.map((row) => row.reference).sort()).toEqual(
      attempts
        .filter((_, i) => outcomes[i] === 'created')
        .map((p) => p.reference)
        .sort(),
    );
    const after = await balances(ids);
    expect(after.every((balance) => balance >= 0)).toBe(true);
    expect(after.reduce((sum, value) => sum + value, 0)).toBe(before);
    // Batched: transfers of one batch share a transaction, so there are far fewer than transfers.
    expect(new Set(rows.map((row) => row.tx)).size).toBeLessThan(rows.length / 4);
    expect((await check.run()).problems).toEqual([]);
  });

  it('a transfer at fault fails alone: the rest of its batch is posted one by one', async () => {
    const poster = new TransferPoster((sql, params) => queryRows(dataSource.manager, sql, params));
    const [a, b] = [await wallet(1_000), await wallet(0)];
    const unknownAccount = randomUUID();
    const good = [posting(a, b, 100), posting(a, b, 200), posting(a, b, 300)];
    const bad = posting(a, unknownAccount, 50);
    // Submitted in one turn of the event loop after a lone first posting, so they share a batch.
    const results = await Promise.allSettled(
      [good[0], bad, good[1], good[2]].map((p) => poster.post(p)),
    );
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(await balances([a, b])).toEqual([400, 600]);
    const { rows } = await sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM ledger_transfers WHERE reference = $1`,
      [bad.reference],
    );
    expect(Number(rows[0].n)).toBe(0);
    expect((await check.run()).problems).toEqual([]);
  });
});
