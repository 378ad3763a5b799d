import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { GatewayDispute } from '../../src/modules/gateways/gateway.interface.js';
import { DisputesService } from '../../src/modules/disputes/disputes.service.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import type { DepositCredit } from '../../src/modules/wallet/wallet.service.js';
import { WalletService } from '../../src/modules/wallet/wallet.service.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { fundWallet, refundDeposit } from './ledger-fixtures.js';

/**
 * The money side of disputes (SPEC §17) against the real database: dispute_sync_ledger and the
 * receivable trigger, driven through DisputesService.applyReport as the webhook job drives it.
 */
describe('disputes ledger (integration, real Postgres)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let disputes: DisputesService;
  let wallets: WalletService;
  let users: UsersService;
  let check: LedgerCheckService;
  let sql: pg.Client;

  beforeAll(async () => {
    t = await createTestApp();
    dataSource = t.get<DataSource>(getDataSourceToken());
    disputes = t.get(DisputesService);
    wallets = t.get(WalletService);
    users = t.get(UsersService);
    check = t.get(LedgerCheckService);
    sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await t?.close();
  });

  afterEach(async () => {
    const report = await check.run();
    expect(report.problems).toEqual([]);
  });

  async function newUser(): Promise<{ userId: string; wallet: string }> {
    const user = await users.findOrCreateByEmail(`d-${randomUUID()}@example.com`);
    const { rows } = await sql.query<{ id: string }>(
      `SELECT id FROM ledger_accounts WHERE user_id = $1`,
      [user.id],
    );
    return { userId: user.id, wallet: rows[0].id };
  }

  async function deposit(userId: string, amount: number): Promise<DepositCredit> {
    return dataSource.transaction((m) => fundWallet(m, wallets, userId, amount));
  }

  async function balance(accountId: string): Promise<number> {
    const { rows } = await sql.query<{ balance: string }>(
      `SELECT balance FROM ledger_accounts WHERE id = $1`,
      [accountId],
    );
    return Number(rows[0].balance);
  }

  async function named(name: string): Promise<number> {
    const { rows } = await sql.query<{ balance: string }>(
      `SELECT balance FROM ledger_accounts WHERE name = $1`,
      [name],
    );
    return rows.length ? Number(rows[0].balance) : 0;
  }

  async function transfersOf(disputeGatewayId: string): Promise<string[]> {
    const { rows } = await sql.query<{ kind: string }>(
      `SELECT t.kind FROM ledger_transfers t JOIN disputes d
           ON t.key IN ('dispute_hold:' || d.id, 'dispute_release:' || d.id, 'dispute_loss:' || d.id)
        WHERE d.gateway_dispute_id = $1 ORDER BY t.created_at, t.kind`,
      [disputeGatewayId],
    );
    return rows.map((row) => row.kind);
  }

  function report(
    payment: DepositCredit,
    status: GatewayDispute['status'],
    overrides: Partial<GatewayDispute> = {},
  ): GatewayDispute {
    return {
      gatewayDisputeId: `dsp-${payment.paymentId}`,
      reference: payment.paymentReference,
      amount: payment.amount,
      currency: 'NGN',
      reason: 'fraudulent',
      status,
      gatewayStatus: status,
      dueBy: new Date(Date.now() + 3 * 86_400_000),
      ...overrides,
    };
  }

  it('holds the disputed amount once when the same dispute arrives five times, even at once', async () => {
    const { userId, wallet } = await newUser();
    const paid = await deposit(userId, 10_000);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => disputes.applyReport('paystack', report(paid, 'open'))),
    );
    expect(outcomes.filter((o) => o.status === 'processed')).toHaveLength(1);
    expect(await balance(wallet)).toBe(0);
    expect(await named(`disputes_held:${userId}`)).toBe(10_000);
    expect(await transfersOf(`dsp-${paid.paymentId}`)).toEqual(['dispute_hold']);
    const events = await sql.query<{ type: string }>(
      `SELECT type FROM events WHERE user_id = $1 AND type LIKE 'dispute.%'`,
      [userId],
    );
    expect(events.rows.map((row) => row.type)).toEqual(['dispute.created']);
  });

  it('releases the hold once when the dispute is won, however often that is reported', async () => {
    const { userId, wallet } = await newUser();
    const paid = await deposit(userId, 7_000);
    await disputes.applyReport('paystack', report(paid, 'open'));
    expect(await balance(wallet)).toBe(0);
    for (let i = 0; i < 3; i++) await disputes.applyReport('paystack', report(paid, 'won'));
    expect(await balance(wallet)).toBe(7_000);
    expect(await named(`disputes_held:${userId}`)).toBe(0);
    expect(await transfersOf(`dsp-${paid.paymentId}`)).toEqual(['dispute_hold', 'dispute_release']);
  });

  it('moves a lost dispute to the gateway and marks the payment disputed: lost', async () => {
    const { userId, wallet } = await newUser();
    const paid = await deposit(userId, 5_000);
    const clearingBefore = await named('clearing:paystack:NGN');
    await disputes.applyReport('paystack', report(paid, 'open'));
    await disputes.applyReport('paystack', report(paid, 'lost'));
    await disputes.applyReport('paystack', report(paid, 'won')); // contradicts: recorded, not applied
    expect(await balance(wallet)).toBe(0);
    expect(await named(`disputes_held:${userId}`)).toBe(0);
    expect((await named('clearing:paystack:NGN')) - clearingBefore).toBe(5_000);
    expect(await transfersOf(`dsp-${paid.paymentId}`)).toEqual(['dispute_hold', 'dispute_loss']);
    const { rows } = await sql.query<{ disputed: string }>(
      `SELECT disputed FROM payments WHERE id = $1`,
      [paid.paymentId],
    );
    expect(rows[0].disputed).toBe('lost');
  });

  it('records what a spent wallet lacks as a receivable, collected first from the next credit', async () => {
    const { userId, wallet } = await newUser();
    const paid = await deposit(userId, 8_000);
    // spend most of it
    const other = await newUser();
    await dataSource.transaction((m) =>
      queryTransfer(m, wallet, other.wallet, 6_000, `TRF-${randomUUID().slice(0, 8)}`),
    );
    await disputes.applyReport('paystack', report(paid, 'open'));
    expect(await balance(wallet)).toBe(0);
    expect(await named(`dispute_receivable:${userId}`)).toBe(-6_000);
    await disputes.applyReport('paystack', report(paid, 'lost'));

    await deposit(userId, 4_000); // all of it pays the receivable
    expect(await balance(wallet)).toBe(0);
    expect(await named(`dispute_receivable:${userId}`)).toBe(-2_000);
    await deposit(userId, 5_000); // 2,000 to the receivable, 3,000 stays
    expect(await balance(wallet)).toBe(3_000);
    expect(await named(`dispute_receivable:${userId}`)).toBe(0);
    const { rows } = await sql.query<{ min: string }>(
      `SELECT min(balance_after)::text AS min FROM ledger_entries WHERE account_id = $1`,
      [wallet],
    );
    expect(Number(rows[0].min)).toBeGreaterThanOrEqual(0);
  });

  it('a dispute won after the wallet was spent gives back only what the hold took', async () => {
    const { userId, wallet } = await newUser();
    const paid = await deposit(userId, 3_000);
    const other = await newUser();
    await dataSource.transaction((m) =>
      queryTransfer(m, wallet, other.wallet, 3_000, `TRF-${randomUUID().slice(0, 8)}`),
    );
    await disputes.applyReport('paystack', report(paid, 'open'));
    await disputes.applyReport('paystack', report(paid, 'won'));
    expect(await balance(wallet)).toBe(0);
    expect(await named(`dispute_receivable:${userId}`)).toBe(0);
    expect(await named(`disputes_held:${userId}`)).toBe(0);
  });

  it('a hold racing transfers out of and deposits into the same wallet: no deadlock, never negative', async () => {
    const { userId, wallet } = await newUser();
    const paid = await deposit(userId, 10_000);
    const other = await newUser();
    const results = await Promise.allSettled([
      disputes.applyReport('paystack', report(paid, 'open')),
      ...Array.from({ length: 4 }, (_, i) =>
        dataSource.transaction((m) =>
          queryTransfer(m, wallet, other.wallet, 2_000, `TRF-RACE${i}${randomUUID().slice(0, 6)}`),
        ),
      ),
      ...Array.from({ length: 3 }, () => deposit(userId, 1_000)),
      dataSource.transaction((m) =>
        queryTransfer(m, other.wallet, wallet, 500, `TRF-BACK${randomUUID().slice(0, 8)}`),
      ),
    ]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const owed = -(await named(`dispute_receivable:${userId}`));
    const held = await named(`disputes_held:${userId}`);
    expect(held).toBe(10_000);
    expect(await balance(wallet)).toBeGreaterThanOrEqual(0);
    // the wallet ends with what came in, less what went out, less the hold it could cover
    const { rows } = await sql.query<{ out: string }>(
      `SELECT coalesce(sum(-e.amount), 0)::text AS out FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id
        WHERE e.account_id = $1 AND t.kind = 'transfer' AND e.amount < 0`,
      [wallet],
    );
    expect((await balance(wallet)) - owed).toBe(
      10_000 + 3_000 + 500 - Number(rows[0].out) - 10_000,
    );
  });

  it('reaches the right end state when the close arrives before the open', async () => {
    const won = await newUser();
    const wonPaid = await deposit(won.userId, 2_000);
    await disputes.applyReport('paystack', report(wonPaid, 'won'));
    await disputes.applyReport('paystack', report(wonPaid, 'open'));
    await disputes.applyReport('paystack', report(wonPaid, 'under_review'));
    expect(await balance(won.wallet)).toBe(2_000);
    expect(await transfersOf(`dsp-${wonPaid.paymentId}`)).toEqual([
      'dispute_hold',
      'dispute_release',
    ]);

    const lost = await newUser();
    const lostPaid = await deposit(lost.userId, 2_500);
    await disputes.applyReport('paystack', report(lostPaid, 'lost'));
    await disputes.applyReport('paystack', report(lostPaid, 'open'));
    expect(await balance(lost.wallet)).toBe(0);
    const { rows } = await sql.query<{ status: string }>(
      `SELECT status FROM disputes WHERE gateway_dispute_id = $1`,
      [`dsp-${lostPaid.paymentId}`],
    );
    expect(rows[0].status).toBe('lost');
  });

  it('never lets disputes not won claim more than the payment received', async () => {
    const { userId, wallet } = await newUser();
    const paid = await deposit(userId, 4_000);
    const first = await disputes.applyReport(
      'paystack',
      report(paid, 'open', { gatewayDisputeId: `a-${paid.paymentId}`, amount: 3_000 }),
    );
    const second = await disputes.applyReport(
      'paystack',
      report(paid, 'open', { gatewayDisputeId: `b-${paid.paymentId}`, amount: 2_000 }),
    );
    const third = await disputes.applyReport(
      'paystack',
      report(paid, 'open', { gatewayDisputeId: `c-${paid.paymentId}`, amount: 5_000 }),
    );
    expect([first.status, second.status, third.status]).toEqual([
      'processed',
      'ignored',
      'ignored',
    ]);
    expect(await balance(wallet)).toBe(1_000);
    expect(await named(`disputes_held:${userId}`)).toBe(3_000);
  });

  /** A refund of the deposit the gateway has made (succeeded). */
  async function refund(paid: DepositCredit, amount: number): Promise<void> {
    const made = await dataSource.transaction((m) => refundDeposit(m, wallets, paid, amount));
    await sql.query(`UPDATE refunds SET status = 'succeeded', completed_at = now() WHERE id = $1`, [
      made.refundId,
    ]);
  }

  async function heldOf(disputeId: string | undefined): Promise<number> {
    const { rows } = await sql.query<{ hold_amount: string }>(
      `SELECT hold_amount FROM disputes WHERE id = $1`,
      [disputeId],
    );
    return Number(rows[0].hold_amount);
  }

  it('never takes back again what a refund already paid back: a dispute on a refunded deposit holds nothing, even lost', async () => {
    const { userId, wallet } = await newUser();
    const refunded = await deposit(userId, 10_000);
    await deposit(userId, 10_000);
    await refund(refunded, 10_000);
    expect(await balance(wallet)).toBe(10_000);

    const opened = await disputes.applyReport('paystack', report(refunded, 'open'));
    expect(opened.status).toBe('processed');
    expect(await heldOf(opened.disputeId)).toBe(0);
    expect(await balance(wallet)).toBe(10_000);
    expect(await named(`disputes_held:${userId}`)).toBe(0);
    expect(await named(`dispute_receivable:${userId}`)).toBe(0);
    // Conceding would have the gateway refund the payer a second time.
    await expect(disputes.accept(userId, opened.disputeId as string)).rejects.toMatchObject({
      code: 'DISPUTE_ALREADY_REFUNDED',
    });

    await disputes.applyReport('paystack', report(refunded, 'lost'));
    expect(await balance(wallet)).toBe(10_000);
    expect(await transfersOf(`dsp-${refunded.paymentId}`)).toEqual([]);
    const { rows } = await sql.query<{ disputed: string }>(
      `SELECT disputed FROM payments WHERE id = $1`,
      [refunded.paymentId],
    );
    expect(rows[0].disputed).toBe('lost');
  });

  it('holds only what refunds and earlier disputes left of a deposit, and gives back only that when won', async () => {
    const { userId, wallet } = await newUser();
    const paid = await deposit(userId, 10_000);
    await deposit(userId, 5_000);
    await refund(paid, 4_000);
    expect(await balance(wallet)).toBe(11_000);

    const first = await disputes.applyReport(
      'paystack',
      report(paid, 'open', { gatewayDisputeId: `a-${paid.paymentId}`, amount: 5_000 }),
    );
    expect(await heldOf(first.disputeId)).toBe(5_000);
    const second = await disputes.applyReport(
      'paystack',
      report(paid, 'open', { gatewayDisputeId: `b-${paid.paymentId}`, amount: 5_000 }),
    );
    // 10,000 received: 4,000 refunded and 5,000 held leave 1,000 to hold.
    expect(await heldOf(second.disputeId)).toBe(1_000);
    expect(await balance(wallet)).toBe(5_000);
    expect(await named(`disputes_held:${userId}`)).toBe(6_000);

    await disputes.applyReport(
      'paystack',
      report(paid, 'won', { gatewayDisputeId: `b-${paid.paymentId}`, amount: 5_000 }),
    );
    expect(await balance(wallet)).toBe(6_000);
    expect(await named(`disputes_held:${userId}`)).toBe(5_000);
  });

  it("shows the payment's disputed state from all its disputes, not the one reported last", async () => {
    const { userId } = await newUser();
    const paid = await deposit(userId, 6_000);
    const disputed = async (): Promise<string> =>
      (
        await sql.query<{ disputed: string }>(`SELECT disputed FROM payments WHERE id = $1`, [
          paid.paymentId,
        ])
      ).rows[0].disputed;
    const a = { gatewayDisputeId: `a-${paid.paymentId}`, amount: 2_000 };
    const b = { gatewayDisputeId: `b-${paid.paymentId}`, amount: 2_000 };
    await disputes.applyReport('paystack', report(paid, 'open', a));
    await disputes.applyReport('paystack', report(paid, 'open', b));
    await disputes.applyReport('paystack', report(paid, 'lost', a));
    expect(await disputed()).toBe('open');
    await disputes.applyReport('paystack', report(paid, 'won', b));
    expect(await disputed()).toBe('lost');
    await disputes.applyReport('paystack', report(paid, 'lost', a)); // a repeat changes nothing
    expect(await disputed()).toBe('lost');
  });

  it('parks a dispute for a payment it does not know as unmatched', async () => {
    const outcome = await disputes.applyReport('paystack', {
      gatewayDisputeId: `dsp-${randomUUID()}`,
      reference: 'PAY-20260101000000-NOSUCH00',
      amount: 100,
      currency: 'NGN',
      reason: null,
      status: 'open',
      gatewayStatus: 'awaiting-merchant-feedback',
      dueBy: null,
    });
    expect(outcome.status).toBe('unmatched');
  });

  it('the database refuses to both release and lose one dispute', async () => {
    const { userId } = await newUser();
    const paid = await deposit(userId, 1_000);
    const applied = await disputes.applyReport('paystack', report(paid, 'won'));
    // bypass the service: flip the closed dispute to lost and ask the ledger to follow
    await expect(
      sql.query(
        `WITH flipped AS (UPDATE disputes SET status = 'lost' WHERE id = $1 RETURNING id)
         SELECT dispute_sync_ledger(id) FROM flipped`,
        [applied.disputeId],
      ),
    ).rejects.toThrow(/ledger_transfers_reference_key/);
    expect(await transfersOf(`dsp-${paid.paymentId}`)).toEqual(['dispute_hold', 'dispute_release']);
  });

  it('the ledger check reports a dispute whose books do not match its status', async () => {
    const { userId } = await newUser();
    const paid = await deposit(userId, 1_500);
    // A dispute row written past dispute_sync_ledger: open, but never held.
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO disputes (payment_id, payment_reference, user_id, gateway, gateway_dispute_id, amount, hold_amount, currency, status)
       VALUES ($1, $2, $3, 'paystack', $4, 1500, 1500, 'NGN', 'open') RETURNING id`,
      [paid.paymentId, paid.paymentReference, userId, `drift-${paid.paymentId}`],
    );
    try {
      const report = await check.run();
      expect(report.problems).toEqual([
        expect.objectContaining({
          check: 'dispute_ledger_matches_status',
          subject: expect.objectContaining({ id: rows[0].id, held: false }),
        }),
      ]);
    } finally {
      await sql.query(`DELETE FROM disputes WHERE id = $1`, [rows[0].id]);
    }
  });

  it('refuses a refund of a disputed payment in the database', async () => {
    const { userId } = await newUser();
    const paid = await deposit(userId, 1_000);
    await disputes.applyReport('paystack', report(paid, 'open'));
    await expect(
      sql.query(
        `INSERT INTO refunds (payment_id, payment_reference, user_id, amount, currency, gateway, initiated_by)
         VALUES ($1, $2, $3, 100, 'NGN', 'paystack', 'user')`,
        [paid.paymentId, paid.paymentReference, userId],
      ),
    ).rejects.toThrow(/is disputed/);
  });
});

async function queryTransfer(
  manager: import('typeorm').EntityManager,
  from: string,
  to: string,
  amount: number,
  reference: string,
): Promise<void> {
  await manager.query(`SELECT * FROM wallet_transfer($1, $2, $3, $4, NULL, $5)`, [
    from,
    to,
    amount,
    reference,
    `evt_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
  ]);
}
