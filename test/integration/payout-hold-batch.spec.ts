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
});
