import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { queryRows } from '../../src/database/sql.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { type PayoutHold, PayoutHoldPoster } from '../../src/modules/payouts/payout-hold-poster.js';
import { inFlightAccountName, newPayoutReference } from '../../src/modules/payouts/payout-rows.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { WalletService } from '../../src/modules/wallet/wallet.service.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { fundWallet } from './ledger-fixtures.js';

/**
 * Withdrawals' holds many to a statement (payout_hold_batch through PayoutHoldPoster), against the
 * real Postgres: in order, each with its own outcome, a hold seeing the balance and the day's total
 * the earlier ones of its batch left, the wallet never negative and the ledger exact.
 */
describe('batched payout holds (integration, real Postgres)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let sql: pg.Client;
  let poster: PayoutHoldPoster;
  /** The number of holds of each statement the poster ran. */
  let statements: number[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    dataSource = t.get<DataSource>(getDataSourceToken());
    sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
    poster = new PayoutHoldPoster((text, params) => {
      statements.push((params[0] as string[]).length);
      return queryRows(dataSource.manager, text, params);
    });
  });

  afterAll(async () => {
    await sql?.end();
    await t?.close();
  });

  async function payer(balance: number) {
    const user = await t
      .get<UsersService>(UsersService)
      .findOrCreateByEmail(`hold-batch-${randomUUID()}@example.com`);
    const wallets = t.get<WalletService>(WalletService);
    await dataSource.transaction((m) => fundWallet(m, wallets, user.id, balance));
    const wallet = await wallets.walletAccountOf(user.id);
    const recipientId = randomUUID();
    await sql.query(
      `INSERT INTO payout_recipients (id, user_id, gateway, type, account_name, account_number,
                                      account_number_last4, bank_code, currency)
       VALUES ($1, $2, 'paystack', 'bank_account', 'Test Payee', 'enc:v1:test', '0001', '058', 'NGN')`,
      [recipientId, user.id],
    );
    return { userId: user.id, walletId: wallet.id, recipientId };
  }

  async function hold(
    who: { userId: string; walletId: string; recipientId: string },
    amount: number,
    dailyLimit = 1_000_000,
  ): Promise<PayoutHold> {
    const id = randomUUID();
    const inFlight = await t
      .get<LedgerService>(LedgerService)
      .systemAccount(dataSource.manager, inFlightAccountName('NGN', id), 'NGN');
    return {
      id,
      reference: newPayoutReference(),
      userId: who.userId,
      recipientId: who.recipientId,
      walletId: who.walletId,
      inFlightId: inFlight.id,
      gateway: 'paystack',
      amount: String(amount),
      currency: 'NGN',
      status: 'pending',
      narration: null,
      livemode: false,
      createdAt: new Date().toISOString(),
      dailyLimit: String(dailyLimit),
      idempotency: null,
    };
  }

  const balance = async (id: string): Promise<number> =>
    Number(
      (
        await sql.query<{ balance: string }>(`SELECT balance FROM ledger_accounts WHERE id = $1`, [
          id,
        ])
      ).rows[0].balance,
    );

  it('runs a batch in order: a hold sees the balance the earlier ones left, never below zero', async () => {
    const [who, first] = [await payer(1_000), await payer(1)];
    const holds = [await hold(who, 600), await hold(who, 500), await hold(who, 400)];
    statements = [];
    // The first runs at once; the three arriving meanwhile go together in one statement.
    const [, ...results] = await Promise.all(
      [await hold(first, 1), ...holds].map((h) => poster.post(h)),
    );
    expect(statements).toEqual([1, 3]);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'insufficient_funds', 'created']);
    expect(await balance(who.walletId)).toBe(0);
    const { rows } = await sql.query<{ id: string }>(
      `SELECT id FROM payouts WHERE user_id = $1 ORDER BY amount DESC`,
      [who.userId],
    );
    expect(rows.map((row) => row.id)).toEqual([holds[0].id, holds[2].id]);
    expect((await t.get<LedgerCheckService>(LedgerCheckService).run()).ok).toBe(true);
  });

  it("counts the earlier holds of the same batch in the day's total", async () => {
    const [who, first] = [await payer(5_000), await payer(1)];
    const holds = [await hold(who, 600, 1_000), await hold(who, 600, 1_000)];
    statements = [];
    const [, ...results] = await Promise.all(
      [await hold(first, 1), ...holds].map((h) => poster.post(h)),
    );
    expect(statements).toEqual([1, 2]);
    expect(results).toEqual([
      { outcome: 'created', used_today: '0' },
      { outcome: 'daily_limit', used_today: '600' },
    ]);
    expect(await balance(who.walletId)).toBe(4_400);
  });

  it('refuses a recipient of another user without moving money', async () => {
    const [who, other] = [await payer(1_000), await payer(1)];
    const result = await poster.post({ ...(await hold(who, 100)), recipientId: other.recipientId });
    expect(result.outcome).toBe('recipient_not_found');
    expect(await balance(who.walletId)).toBe(1_000);
  });

  /**
   * The batch takes its decisions over rows it read once and writes the accepted holds with one
   * INSERT per table (migration 1765800000000): it must decide and write exactly what `payout_hold`
   * does one hold at a time. Two groups of payers with the same balances get the same sequence of
   * holds (over the balance, over the day's limit, to a removed recipient, to another user's
   * recipient, a twin id): one group in one batch, the other one by one.
   */
  it('decides and writes what payout_hold does one hold at a time', async () => {
    const group = async () => {
      const payers = [await payer(2_000), await payer(900), await payer(50)];
      const removed = randomUUID();
      await sql.query(
        `INSERT INTO payout_recipients (id, user_id, gateway, type, account_name, account_number,
                                        account_number_last4, bank_code, currency, deleted_at)
         VALUES ($1, $2, 'paystack', 'bank_account', 'Gone', 'enc:v1:test', '0002', '058', 'NGN', now())`,
        [removed, payers[0].userId],
      );
      return { payers, removed };
    };
    type Group = Awaited<ReturnType<typeof group>>;
    // [payer, amount, variation]
    const plan: [number, number, 'removed' | 'other' | 'twin' | null][] = [
      [0, 700, null],
      [1, 600, null],
      [0, 700, null],
      [2, 60, null], // over the balance
      [0, 700, null], // over the day's limit (1,500) with the two before
      [1, 300, null],
      [0, 100, 'removed'],
      [2, 50, 'other'],
      [1, 1, null], // over the balance: 900 - 600 - 300
      [2, 50, null],
      [0, 100, null],
      [1, 1, 'twin'], // the id of the hold before it (another payer's)
    ];
    const holdsOf = async (g: Group): Promise<PayoutHold[]> => {
      const holds: PayoutHold[] = [];
      for (const [who, amount, variation] of plan) {
        const h = await hold(g.payers[who], amount, 1_500);
        if (variation === 'removed') h.recipientId = g.removed;
        if (variation === 'other') h.recipientId = g.payers[0].recipientId;
        if (variation === 'twin') h.id = holds[holds.length - 1].id;
        holds.push(h);
      }
      return holds;
    };
    const [batched, single] = [await group(), await group()];
    const [batchHolds, singleHolds] = [await holdsOf(batched), await holdsOf(single)];

    const { rows: batchRows } = await sql.query<{ outcome: string; used_today: string | null }>(
      `SELECT outcome, used_today FROM payout_hold_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                                                         $11, $12, $13, $14, $15) ORDER BY ord`,
      [
        batchHolds.map((h) => h.id),
        batchHolds.map((h) => h.reference),
        batchHolds.map((h) => h.userId),
        batchHolds.map((h) => h.recipientId),
        batchHolds.map((h) => h.walletId),
        batchHolds.map((h) => h.inFlightId),
        batchHolds.map((h) => h.gateway),
        batchHolds.map((h) => h.amount),
        batchHolds.map((h) => h.currency),
        batchHolds.map((h) => h.status),
        batchHolds.map((h) => h.narration),
        batchHolds.map((h) => h.livemode),
        batchHolds.map((h) => h.createdAt),
        '1500',
        batchHolds.map((h) => h.idempotency),
      ],
    );
    const singleRows: { outcome: string; used_today: string | null }[] = [];
    for (const h of singleHolds) {
      const { rows } = await sql.query<{ outcome: string; used_today: string | null }>(
        `SELECT outcome, used_today FROM payout_hold($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                                                     $12, $13, $14, $15)`,
        [
          h.id,
          h.reference,
          h.userId,
          h.recipientId,
          h.walletId,
          h.inFlightId,
          h.gateway,
          h.amount,
          h.currency,
          h.status,
          h.narration,
          h.livemode,
          h.createdAt,
          '1500',
          h.idempotency,
        ],
      );
      singleRows.push(rows[0]);
    }
    expect(batchRows).toEqual(singleRows);
    expect(batchRows.map((row) => row.outcome)).toEqual([
      'created',
      'created',
      'created',
      'insufficient_funds',
      'daily_limit',
      'created',
      'recipient_not_found',
      'recipient_not_found',
      'insufficient_funds',
      'created',
      'created',
      'existing',
    ]);

    // Per wallet: the same entries in the same order, each with the same balance after it, and
    // the same payouts.
    const history = async (g: Group) =>
      Promise.all(
        g.payers.map(async (p) => ({
          balance: await balance(p.walletId),
          entries: (
            await sql.query<{ amount: string; balance_after: string }>(
              `SELECT amount, balance_after FROM ledger_entries WHERE account_id = $1 ORDER BY id`,
              [p.walletId],
            )
          ).rows,
          payouts: (
            await sql.query<{ amount: string; status: string; transfer_amount: string }>(
              `SELECT p.amount, p.status, e.amount AS transfer_amount
                 FROM payouts p JOIN ledger_entries e ON e.transfer_id = p.hold_transfer_id
                WHERE p.user_id = $1 AND e.account_id = $2 ORDER BY p.created_at, e.id`,
              [p.userId, p.walletId],
            )
          ).rows,
        })),
      );
    const [batchHistory, singleHistory] = [await history(batched), await history(single)];
    expect(batchHistory).toEqual(singleHistory);
    expect(batchHistory.map((h) => h.balance)).toEqual([500, 0, 0]);
    expect((await t.get<LedgerCheckService>(LedgerCheckService).run()).ok).toBe(true);
  });

  it('fails a batch with a wrong wallet as a whole; the poster then runs its holds one by one', async () => {
    const [who, other, first] = [await payer(1_000), await payer(1_000), await payer(1)];
    const good = [await hold(who, 100), await hold(other, 200)];
    const wrong = { ...(await hold(who, 300)), walletId: other.walletId };
    statements = [];
    const [, ...results] = await Promise.allSettled(
      [await hold(first, 1), good[0], wrong, good[1]].map((h) => poster.post(h)),
    );
    // The batch of three failed, then each ran on its own.
    expect(statements).toEqual([1, 3, 1, 1, 1]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await balance(who.walletId)).toBe(900);
    expect(await balance(other.walletId)).toBe(800);
    expect((await t.get<LedgerCheckService>(LedgerCheckService).run()).ok).toBe(true);
  });
});
