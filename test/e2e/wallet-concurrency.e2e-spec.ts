import { randomInt, randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { WalletService } from '../../src/modules/wallet/wallet.service.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { fundWallet } from '../integration/ledger-fixtures.js';

const WALLETS = 10;
const TRANSFERS = 500;
const OPENING_BALANCE = 10_000;

interface Party extends SignedIn {
  accountId: string;
  walletNumber: string;
}

describe('wallet transfers under concurrency (e2e)', () => {
  let t: TestApp;
  let sql: pg.Client;
  let parties: Party[];

  beforeAll(async () => {
    // 500 requests from 10 people at once: well past the default per-principal limit.
    t = await createTestApp({ env: { THROTTLE_LIMIT: '100000' } });
    sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
    const dataSource = t.get<DataSource>(getDataSourceToken());
    parties = [];
    for (let i = 0; i < WALLETS; i++) {
      const signed = await signIn(t, `c${i}-${randomUUID()}@example.com`);
      const { rows } = await sql.query<{ id: string; wallet_number: string }>(
        `SELECT id, wallet_number FROM ledger_accounts WHERE user_id = $1`,
        [signed.userId],
      );
      parties.push({ ...signed, accountId: rows[0].id, walletNumber: rows[0].wallet_number });
    }
    const wallets = t.get<WalletService>(WalletService);
    await dataSource.transaction(async (m) => {
      for (const party of parties) await fundWallet(m, wallets, party.userId, OPENING_BALANCE);
    });
  });

  afterAll(async () => {
    await sql?.end();
    await t?.close();
  });

  it('answers 201 or 422 to 500 racing transfers in random directions and keeps every invariant', async () => {
    const plan = Array.from({ length: TRANSFERS }, () => {
      const from = randomInt(WALLETS);
      let to = randomInt(WALLETS - 1);
      if (to >= from) to++;
      // Up to 40% of an opening balance: wallets that keep losing run dry and get 422s.
      return { from, to, amount: randomInt(1, (OPENING_BALANCE * 2) / 5) };
    });
    // Opposite directions between the same two wallets, certainly included.
    plan.push({ from: 0, to: 1, amount: 1 }, { from: 1, to: 0, amount: 1 });

    const answers = await Promise.all(
      plan.map(async ({ from, to, amount }) => {
        const res = await fetch(`${t.url}/api/v1/wallet/transfer`, {
          method: 'POST',
          headers: { ...parties[from].authHeader, 'Content-Type': 'application/json' },
          body: JSON.stringify({ wallet_number: parties[to].walletNumber, amount }),
        });
        const body = (await res.json()) as { code?: string };
        return { status: res.status, code: body.code, from, to, amount };
      }),
    );

    const unexpected = answers.filter(
      (a) => !(a.status === 201 || (a.status === 422 && a.code === 'INSUFFICIENT_FUNDS')),
    );
    expect(unexpected).toEqual([]);
    const succeeded = answers.filter((a) => a.status === 201);
    expect(succeeded.length).toBeGreaterThan(0);
    expect(answers.some((a) => a.status === 422)).toBe(true);

    const { rows: balances } = await sql.query<{
      id: string;
      balance: string;
      entries: string;
      last: string | null;
    }>(
      `SELECT a.id, a.balance::text,
              (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE account_id = a.id)::text AS entries,
              (SELECT balance_after FROM ledger_entries WHERE account_id = a.id ORDER BY id DESC LIMIT 1)::text AS last
         FROM ledger_accounts a WHERE a.id = ANY($1::uuid[])`,
      [parties.map((p) => p.accountId)],
    );
    expect(balances).toHaveLength(WALLETS);
    let total = 0;
    for (const row of balances) {
      expect(Number(row.balance)).toBeGreaterThanOrEqual(0);
      expect(row.balance).toBe(row.entries);
      expect(row.balance).toBe(row.last);
      total += Number(row.balance);
    }
    expect(total).toBe(WALLETS * OPENING_BALANCE);

    // What each wallet holds is its opening balance plus exactly the transfers that were answered 201.
    const expected = parties.map(() => OPENING_BALANCE);
    for (const a of succeeded) {
      expected[a.from] -= a.amount;
      expected[a.to] += a.amount;
    }
    const byId = new Map(balances.map((row) => [row.id, Number(row.balance)]));
    expect(parties.map((p) => byId.get(p.accountId))).toEqual(expected);

    const { rows: transfers } = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ledger_transfers WHERE kind = 'transfer'`,
    );
    expect(transfers[0].n).toBe(succeeded.length);

    const report = await t.get<LedgerCheckService>(LedgerCheckService).run();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
