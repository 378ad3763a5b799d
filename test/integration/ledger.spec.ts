import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AppError } from '../../src/common/errors/app-error.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { Luhn } from '../../src/modules/wallet/luhn.js';
import { WalletService } from '../../src/modules/wallet/wallet.service.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { failRefund, fundWallet, refundDeposit, settledDepositPayment } from './ledger-fixtures.js';

interface Funded {
  userId: string;
  walletNumber: string;
  accountId: string;
}

describe('ledger (integration, real Postgres)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let users: UsersService;
  let ledger: LedgerService;
  let wallets: WalletService;
  let check: LedgerCheckService;
  let sql: pg.Client;
  let clearingId: string;

  beforeAll(async () => {
    t = await createTestApp();
    dataSource = t.get<DataSource>(getDataSourceToken());
    users = t.get(UsersService);
    ledger = t.get(LedgerService);
    wallets = t.get(WalletService);
    check = t.get(LedgerCheckService);
    sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
    clearingId = (
      await dataSource.transaction((m) => ledger.systemAccount(m, 'clearing:test:NGN', 'NGN'))
    ).id;
  });

  afterAll(async () => {
    await sql?.end();
    await t?.close();
  });

  async function newUser(balance = 0): Promise<Funded> {
    const user = await users.findOrCreateByEmail(`u-${randomUUID()}@example.com`);
    const [row] = (
      await sql.query<{ id: string; wallet_number: string }>(
        `SELECT id, wallet_number FROM ledger_accounts WHERE user_id = $1`,
        [user.id],
      )
    ).rows;
    if (balance > 0) await fund(user.id, balance);
    return { userId: user.id, walletNumber: row.wallet_number, accountId: row.id };
  }

  async function fund(userId: string, amount: number): Promise<void> {
    await dataSource.transaction((m) => fundWallet(m, wallets, userId, amount));
  }

  async function balanceOf(accountId: string): Promise<number> {
    const { rows } = await sql.query<{ balance: string }>(
      `SELECT balance FROM ledger_accounts WHERE id = $1`,
      [accountId],
    );
    return Number(rows[0].balance);
  }

  async function expectAppError(
    promise: Promise<unknown>,
    status: number,
    code: string,
  ): Promise<void> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status, code });
  }

  async function sqlError(
    text: string,
    params: unknown[] = [],
  ): Promise<{ code?: string; message: string }> {
    try {
      await sql.query(text, params);
    } catch (error) {
      await sql.query('ROLLBACK').catch(() => undefined);
      return error as { code?: string; message: string };
    }
    throw new Error(`expected the database to refuse: ${text}`);
  }

  describe('wallets', () => {
    it('opens a wallet with a 13-digit Luhn-valid number for every new user', async () => {
      const a = await newUser();
      const b = await newUser();
      for (const wallet of [a, b]) {
        expect(wallet.walletNumber).toMatch(/^\d{13}$/);
        expect(Luhn.isValid(wallet.walletNumber)).toBe(true);
      }
      expect(a.walletNumber).not.toBe(b.walletNumber);
      await expect(wallets.getWallet(a.userId)).resolves.toEqual({
        walletNumber: a.walletNumber,
        balance: 0,
        currency: 'NGN',
      });
      await expect(wallets.walletNumberOf(a.userId)).resolves.toBe(a.walletNumber);
    });

    it('opens no wallet when the user-creation transaction rolls back', async () => {
      const email = `rollback-${randomUUID()}@example.com`;
      await expect(
        dataSource.transaction(async (m) => {
          await users.createUser(m, { email });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const { rows } = await sql.query(
        `SELECT 1 FROM ledger_accounts a JOIN users u ON u.id = a.user_id WHERE u.email = $1`,
        [email],
      );
      expect(rows).toHaveLength(0);
    });
  });

  describe('transfers', () => {
    it('moves money, records both entries with balance_after and an event for the recipient', async () => {
      const sender = await newUser(10_000);
      const recipient = await newUser(500);
      const result = await wallets.transfer(sender.userId, {
        walletNumber: recipient.walletNumber,
        amount: 2_500,
        narration: 'lunch',
      });
      expect(result).toEqual({
        reference: expect.stringMatching(/^TRF-\d{14}-[A-Z0-9]{10}$/),
        status: 'success',
        amount: 2_500,
        currency: 'NGN',
        recipient_wallet_number: recipient.walletNumber,
      });
      expect(await balanceOf(sender.accountId)).toBe(7_500);
      expect(await balanceOf(recipient.accountId)).toBe(3_000);

      const { rows: entries } = await sql.query(
        `SELECT e.account_id, e.amount::int, e.balance_after::int FROM ledger_entries e
           JOIN ledger_transfers t ON t.id = e.transfer_id WHERE t.reference = $1 ORDER BY e.amount`,
        [result.reference],
      );
      expect(entries).toEqual([
        { account_id: sender.accountId, amount: -2_500, balance_after: 7_500 },
        { account_id: recipient.accountId, amount: 2_500, balance_after: 3_000 },
      ]);

      const { rows: events } = await sql.query(
        `SELECT user_id, type, data FROM events WHERE user_id = $1 AND type = 'wallet.transfer.received'`,
        [recipient.userId],
      );
      expect(events).toHaveLength(1);
      expect(events[0].type).toBe('wallet.transfer.received');
      const page = await wallets.listTransactions(recipient.userId, { limit: 1 });
      // The event carries the recipient's transaction exactly as the history shows it.
      expect(events[0].data).toEqual(page.transactions[0]);
      expect(page.transactions[0]).toMatchObject({
        type: 'transfer_in',
        amount: 2_500,
        status: 'success',
        reference: result.reference,
        counterparty_wallet_number: sender.walletNumber,
        narration: 'lunch',
        balance_after: 3_000,
      });
      const senderPage = await wallets.listTransactions(sender.userId, { limit: 1 });
      expect(senderPage.transactions[0]).toMatchObject({
        type: 'transfer_out',
        amount: 2_500,
        counterparty_wallet_number: recipient.walletNumber,
        balance_after: 7_500,
      });
    });

    it('refuses more than the balance with INSUFFICIENT_FUNDS and changes nothing', async () => {
      const sender = await newUser(1_000);
      const recipient = await newUser();
      await expectAppError(
        wallets.transfer(sender.userId, { walletNumber: recipient.walletNumber, amount: 1_001 }),
        422,
        'INSUFFICIENT_FUNDS',
      );
      expect(await balanceOf(sender.accountId)).toBe(1_000);
      expect(await balanceOf(recipient.accountId)).toBe(0);
      const { rows } = await sql.query(
        `SELECT count(*)::int AS n FROM events WHERE user_id = $1 AND type LIKE 'wallet.transfer%'`,
        [recipient.userId],
      );
      expect(rows[0].n).toBe(0);
      // The whole balance may go.
      await wallets.transfer(sender.userId, {
        walletNumber: recipient.walletNumber,
        amount: 1_000,
      });
      expect(await balanceOf(sender.accountId)).toBe(0);
    });

    it('refuses a mistyped check digit, an unknown wallet, itself and non-positive amounts', async () => {
      const sender = await newUser(1_000);
      const recipient = await newUser();
      const last = Number(recipient.walletNumber.at(-1));
      const typo = recipient.walletNumber.slice(0, -1) + String((last + 1) % 10);
      await expectAppError(
        wallets.transfer(sender.userId, { walletNumber: typo, amount: 1 }),
        422,
        'INVALID_WALLET_NUMBER',
      );
      await expectAppError(
        wallets.transfer(sender.userId, { walletNumber: Luhn.append('000000000000'), amount: 1 }),
        404,
        'WALLET_NOT_FOUND',
      );
      await expectAppError(
        wallets.transfer(sender.userId, { walletNumber: sender.walletNumber, amount: 1 }),
        422,
        'SELF_TRANSFER',
      );
      for (const amount of [0, -5, 1.5]) {
        await expectAppError(
          wallets.transfer(sender.userId, { walletNumber: recipient.walletNumber, amount }),
          400,
          'VALIDATION_FAILED',
        );
      }
      expect(await balanceOf(sender.accountId)).toBe(1_000);
    });
  });

  describe('what the database refuses', () => {
    it('refuses to UPDATE or DELETE an entry or a transfer, and to TRUNCATE them', async () => {
      const a = await newUser(100);
      const { rows } = await sql.query<{ id: string; transfer_id: string }>(
        `SELECT id, transfer_id FROM ledger_entries WHERE account_id = $1`,
        [a.accountId],
      );
      const entryId = rows[0].id;
      for (const statement of [
        `UPDATE ledger_entries SET amount = 1000000 WHERE id = ${entryId}`,
        `UPDATE ledger_entries SET balance_after = 0 WHERE id = ${entryId}`,
        `DELETE FROM ledger_entries WHERE id = ${entryId}`,
        `UPDATE ledger_transfers SET kind = 'transfer' WHERE id = '${rows[0].transfer_id}'`,
        `DELETE FROM ledger_transfers WHERE id = '${rows[0].transfer_id}'`,
        `TRUNCATE ledger_entries`,
        `DELETE FROM ledger_accounts WHERE id = '${a.accountId}'`,
      ]) {
        const error = await sqlError(statement);
        expect({ statement, code: error.code }).toEqual({ statement, code: 'LD010' });
      }
      expect(await balanceOf(a.accountId)).toBe(100);
    });

    it('refuses to set a balance directly, negative or not', async () => {
      const a = await newUser(100);
      expect(
        (await sqlError(`UPDATE ledger_accounts SET balance = -1 WHERE id = $1`, [a.accountId]))
          .code,
      ).toMatch(/^(LD010|23514)$/);
      expect(
        (
          await sqlError(`UPDATE ledger_accounts SET balance = 1000000 WHERE id = $1`, [
            a.accountId,
          ])
        ).code,
      ).toBe('LD010');
      expect(
        (
          await sqlError(
            `UPDATE ledger_accounts SET wallet_number = '0000000000000' WHERE id = $1`,
            [a.accountId],
          )
        ).code,
      ).toBe('LD010');
      expect(await balanceOf(a.accountId)).toBe(100);
    });

    it('refuses a balanced posting that would take a wallet below zero (CHECK), even bypassing ledger_post', async () => {
      const a = await newUser(100);
      await sql.query('BEGIN');
      const { rows } = await sql.query<{ id: string }>(
        `INSERT INTO ledger_transfers (kind, key, reference) VALUES ('refund', $1, $2) RETURNING id`,
        [`refund:${randomUUID()}`, `RFD-${randomUUID()}`],
      );
      const error = await sqlError(
        `INSERT INTO ledger_entries (transfer_id, account_id, amount) VALUES ($1, $2, -101), ($1, $3, 101)`,
        [rows[0].id, a.accountId, clearingId],
      );
      expect(error.code).toBe('23514');
      expect(error.message).toContain('ledger_accounts_user_balance_non_negative');
      expect(await balanceOf(a.accountId)).toBe(100);
    });

    it('refuses at commit a transfer whose entries do not sum to zero', async () => {
      const a = await newUser();
      await sql.query('BEGIN');
      const { rows } = await sql.query<{ id: string }>(
        `INSERT INTO ledger_transfers (kind, key, reference) VALUES ('deposit', $1, $2) RETURNING id`,
        [`deposit:${randomUUID()}`, `PAY-${randomUUID()}`],
      );
      await sql.query(
        `INSERT INTO ledger_entries (transfer_id, account_id, amount) VALUES ($1, $2, 500)`,
        [rows[0].id, a.accountId],
      );
      const error = await sqlError('COMMIT');
      expect(error.code).toBe('LD011');
      expect(await balanceOf(a.accountId)).toBe(0);
    });

    it('refuses a second transfer with the same key', async () => {
      const key = `deposit:${randomUUID()}`;
      await sql.query('BEGIN');
      await sql.query(
        `INSERT INTO ledger_transfers (kind, key, reference) VALUES ('deposit', $1, $2)`,
        [key, `PAY-${randomUUID()}`],
      );
      const error = await sqlError(
        `INSERT INTO ledger_transfers (kind, key, reference) VALUES ('deposit', $1, $2)`,
        [key, `PAY-${randomUUID()}`],
      );
      expect(error.code).toBe('23505');
    });
  });

  describe('postings', () => {
    it('posts a key once: the second post returns the first transfer and moves nothing', async () => {
      const a = await newUser(1_000);
      const b = await newUser();
      const reference = `TRF-TEST-${randomUUID().slice(0, 8)}`;
      const post = (): ReturnType<LedgerService['post']> =>
        dataSource.transaction((m) =>
          ledger.post(m, {
            kind: 'transfer',
            key: `transfer:${reference}`,
            reference,
            lines: [
              { accountId: a.accountId, amount: -700 },
              { accountId: b.accountId, amount: 700 },
            ],
          }),
        );
      const first = await post();
      const second = await post();
      expect(first.created).toBe(true);
      expect(second).toEqual({ ...first, created: false });
      expect(await balanceOf(a.accountId)).toBe(300);
      expect(await balanceOf(b.accountId)).toBe(700);
    });

    it('posts a key once even when the same posting races itself', async () => {
      const a = await newUser(1_000);
      const b = await newUser();
      const reference = `TRF-RACE-${randomUUID().slice(0, 8)}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          dataSource.transaction((m) =>
            ledger.post(m, {
              kind: 'transfer',
              key: `transfer:${reference}`,
              reference,
              lines: [
                { accountId: b.accountId, amount: 100 },
                { accountId: a.accountId, amount: -100 },
              ],
            }),
          ),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await balanceOf(a.accountId)).toBe(900);
    });

    it('credits a settled deposit once, with a wallet.deposit.success event', async () => {
      const a = await newUser();
      const deposit = await dataSource.transaction((m) =>
        settledDepositPayment(m, a.userId, 5_000),
      );
      const first = await dataSource.transaction((m) => wallets.creditDeposit(m, deposit));
      const again = await dataSource.transaction((m) => wallets.creditDeposit(m, deposit));
      expect(again).toBeNull();
      expect(first).toMatchObject({
        type: 'deposit',
        amount: 5_000,
        balance_after: 5_000,
        reference: deposit.paymentReference,
      });
      expect(await balanceOf(a.accountId)).toBe(5_000);
      const { rows } = await sql.query(`SELECT type, data FROM events WHERE user_id = $1`, [
        a.userId,
      ]);
      expect(rows).toEqual([{ type: 'wallet.deposit.success', data: first }]);
      const page = await wallets.listTransactions(a.userId, { limit: 5 });
      expect(page.transactions).toEqual([first]);
    });

    it('debits a deposit refund once, refuses it when spent, and reverses it exactly', async () => {
      const a = await newUser();
      const b = await newUser();
      const deposit = await dataSource.transaction((m) => fundWallet(m, wallets, a.userId, 3_000));
      const refund = await dataSource.transaction((m) => refundDeposit(m, wallets, deposit, 2_000));
      expect(await balanceOf(a.accountId)).toBe(1_000);
      const debit = {
        userId: a.userId,
        refundId: refund.refundId,
        amount: 2_000,
        currency: 'NGN',
        gateway: 'paystack',
      };
      // Repeating the debit is harmless: it returns the first one.
      const again = await dataSource.transaction((m) => wallets.debitForRefund(m, debit));
      expect(again).toMatchObject({
        type: 'refund',
        amount: 2_000,
        balance_after: 1_000,
        reference: `RFD-${refund.refundId}`,
      });
      expect(await balanceOf(a.accountId)).toBe(1_000);

      await wallets.transfer(a.userId, { walletNumber: b.walletNumber, amount: 900 });
      await expectAppError(
        dataSource.transaction((m) => refundDeposit(m, wallets, deposit, 101)),
        422,
        'INSUFFICIENT_FUNDS',
      );
      expect(await balanceOf(a.accountId)).toBe(100);

      await dataSource.transaction((m) => failRefund(m, wallets, refund));
      expect(await balanceOf(a.accountId)).toBe(2_100);
      // Reversing twice gives the money back once.
      const back = await dataSource.transaction((m) =>
        wallets.reverseRefundDebit(m, { userId: a.userId, refundId: refund.refundId }),
      );
      expect(back).toMatchObject({ type: 'refund_reversal', amount: 2_000, balance_after: 2_100 });
      expect(await balanceOf(a.accountId)).toBe(2_100);
      await expect(
        dataSource.transaction((m) =>
          wallets.reverseRefundDebit(m, { userId: a.userId, refundId: randomUUID() }),
        ),
      ).resolves.toBeNull();

      const refunds = await wallets.listTransactions(a.userId, { limit: 10, type: 'refund' });
      expect(refunds.transactions).toEqual([
        expect.objectContaining({ id: again.id, status: 'reversed' }),
      ]);
    });
  });

  describe('history', () => {
    it('pages newest first with an opaque cursor and filters by type', async () => {
      const a = await newUser(10_000);
      const b = await newUser();
      for (let i = 1; i <= 5; i++)
        await wallets.transfer(a.userId, { walletNumber: b.walletNumber, amount: i });
      await wallets.transfer(b.userId, { walletNumber: a.walletNumber, amount: 3 });

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await wallets.listTransactions(a.userId, { limit: 2, cursor });
        seen.push(...page.transactions.map((tx) => `${tx.type}:${tx.amount}`));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([
        'transfer_in:3',
        'transfer_out:5',
        'transfer_out:4',
        'transfer_out:3',
        'transfer_out:2',
        'transfer_out:1',
        'deposit:10000',
      ]);
      const ins = await wallets.listTransactions(a.userId, { limit: 20, type: 'transfer_in' });
      expect(ins.transactions.map((tx) => tx.amount)).toEqual([3]);
      expect(ins.next_cursor).toBeNull();
      await expectAppError(
        wallets.listTransactions(a.userId, { limit: 2, cursor: 'bogus' }),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('ledger check', () => {
    it('reports a deposit credit whose payment is not a succeeded deposit, and a succeeded deposit never credited', async () => {
      const a = await newUser(250);
      const [payment] = (
        await sql.query<{ id: string; reference: string }>(
          `SELECT id, reference FROM payments WHERE user_id = $1`,
          [a.userId],
        )
      ).rows;
      const orphan = await dataSource.transaction((m) => settledDepositPayment(m, a.userId, 77));
      await sql.query(
        `UPDATE payments SET status = 'failed', settled_at = NULL, amount_received = NULL WHERE id = $1`,
        [payment.id],
      );
      try {
        const report = await check.run();
        expect(report.problems).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              check: 'deposit_matches_settled_payment',
              subject: expect.objectContaining({
                key: `deposit:${payment.id}`,
                payment_status: 'failed',
              }),
            }),
            expect.objectContaining({
              check: 'settled_deposit_credited',
              subject: expect.objectContaining({ reference: orphan.paymentReference }),
            }),
          ]),
        );
      } finally {
        await sql.query(
          `UPDATE payments SET status = 'succeeded', settled_at = now(), amount_received = 250 WHERE id = $1`,
          [payment.id],
        );
        await dataSource.transaction((m) => wallets.creditDeposit(m, orphan));
      }
    });

    it('reports drift that bypassed the triggers, naming the account', async () => {
      const a = await newUser(400);
      // A superuser can switch triggers off: exactly the drift the check exists to catch.
      await sql.query('BEGIN');
      await sql.query(`SET LOCAL session_replication_role = replica`);
      await sql.query(`UPDATE ledger_accounts SET balance = 999 WHERE id = $1`, [a.accountId]);
      await sql.query('COMMIT');
      try {
        const report = await check.run();
        expect(report.ok).toBe(false);
        expect(report.problems).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              check: 'balance_equals_entries',
              subject: expect.objectContaining({
                id: a.accountId,
                balance: '999',
                entries_sum: '400',
              }),
            }),
          ]),
        );
      } finally {
        await sql.query('BEGIN');
        await sql.query(`SET LOCAL session_replication_role = replica`);
        await sql.query(`UPDATE ledger_accounts SET balance = 400 WHERE id = $1`, [a.accountId]);
        await sql.query('COMMIT');
      }
    });
  });

  it('finds nothing wrong after everything above', async () => {
    const report = await check.run();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.entries).toBeGreaterThan(20);
    const [ngn] = report.totals;
    expect(BigInt(ngn.user_balances)).toBe(
      BigInt(ngn.deposits) - BigInt(ngn.refunds) + BigInt(ngn.refund_reversals),
    );
  });
});
