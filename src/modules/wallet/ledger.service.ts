import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { callSql, SqlParams, type SqlFunctionCall } from '../../database/sql.js';
import { AppError, unprocessable } from '../../common/errors/app-error.js';
import { assertMinor, minorFromDb } from '../../common/money.js';
import type { LedgerAccountRef, PostedTransfer, PostingInput } from './ledger.types.js';
import { LedgerSqlState, pgError, USER_BALANCE_CONSTRAINT } from './pg-error.js';

interface PostRow {
  outcome: 'created' | 'existing' | 'insufficient_funds';
  transfer_id: string;
  created_at: Date;
  entry_id: string;
  account_id: string;
  amount: string;
  balance_after: string;
}

export const insufficientFunds = (): AppError =>
  unprocessable('INSUFFICIENT_FUNDS', 'The wallet balance is too low for this amount');

/**
 * Double-entry postings. Every movement of money goes through `post`, which runs the database's
 * `ledger_post` function in the caller's transaction: one round trip that locks the accounts in
 * id order, checks funds, and inserts the transfer and its entries (the entry trigger moves the
 * cached balances). A shortfall comes back as an outcome with nothing written, so a caller that
 * catches INSUFFICIENT_FUNDS and carries on never commits half a posting; the database's CHECK
 * remains the last word.
 */
@Injectable()
export class LedgerService {
  /** System account ids by name; accounts are never deleted and their identity never changes. */
  private readonly systemAccounts = new Map<string, LedgerAccountRef>();

  async post(manager: EntityManager, input: PostingInput): Promise<PostedTransfer> {
    validatePosting(input);
    let rows: PostRow[];
    try {
      rows = await manager.query<PostRow[]>(
        `SELECT * FROM ledger_post($1, $2, $3, $4, $5, $6::uuid[], $7::bigint[])`,
        [
          input.kind,
          input.key,
          input.reference,
          input.narration ?? null,
          input.reversesTransferId ?? null,
          input.lines.map((line) => line.accountId),
          input.lines.map((line) => String(line.amount)),
        ],
      );
    } catch (error) {
      // A remembered system account can only be unknown if the transaction that created it
      // (and read it back) rolled back: forget them all and let the next use look again.
      if (pgError(error)?.code === LedgerSqlState.UnknownAccount) this.systemAccounts.clear();
      throw mapLedgerError(error);
    }
    if (rows.length === 0) throw new Error(`ledger_post returned nothing for ${input.key}`);
    if (rows[0].outcome === 'insufficient_funds') throw insufficientFunds();
    return {
      id: rows[0].transfer_id,
      created: rows[0].outcome === 'created',
      createdAt: rows[0].created_at,
      entries: rows.map((row) => ({
        id: String(row.entry_id),
        accountId: row.account_id,
        amount: minorFromDb(row.amount),
        balanceAfter: minorFromDb(row.balance_after),
      })),
    };
  }

  /**
   * A deposit credit (clearing → wallet) and its `wallet.deposit.success` outbox row as one call of
   * the `wallet_deposit` function, for the caller to run in its transaction: last before COMMIT,
   * as it takes the clearing account's row lock (see depositClearingAccountName), which other
   * deposits of the gateway wait for. Run again with the same key, it writes nothing.
   */
  depositCall(input: {
    key: string;
    reference: string;
    clearingId: string;
    walletId: string;
    amount: number;
    eventId: string;
  }): SqlFunctionCall {
    validatePosting({
      kind: 'deposit',
      key: input.key,
      reference: input.reference,
      lines: [
        { accountId: input.clearingId, amount: -input.amount },
        { accountId: input.walletId, amount: input.amount },
      ],
    });
    return {
      name: 'wallet_deposit',
      args: [
        input.clearingId,
        input.walletId,
        String(input.amount),
        input.key,
        input.reference,
        input.eventId,
      ],
    };
  }

  /** Runs a depositCall in the caller's transaction; `created` false when it was posted before. */
  async postDeposit(
    manager: EntityManager,
    call: SqlFunctionCall,
  ): Promise<{ created: boolean; walletTransaction: unknown }> {
    const params = new SqlParams();
    let rows: { outcome: PostRow['outcome'] | null; wallet_transaction: unknown }[];
    try {
      rows = await manager.query(`SELECT * FROM ${callSql(call, params)}`, params.values);
    } catch (error) {
      if (pgError(error)?.code === LedgerSqlState.UnknownAccount) this.systemAccounts.clear();
      throw mapLedgerError(error);
    }
    const outcome = rows[0]?.outcome;
    if (outcome !== 'created' && outcome !== 'existing')
      throw new Error(`wallet_deposit answered ${String(outcome)} for ${String(call.args[3])}`);
    return { created: outcome === 'created', walletTransaction: rows[0].wallet_transaction };
  }

  /**
   * A system account (e.g. `clearing:paystack:NGN`), created on first use. Creation commits with
   * the caller's transaction; concurrent first uses converge on the one row.
   */
  async systemAccount(
    manager: EntityManager,
    name: string,
    currency: string,
  ): Promise<LedgerAccountRef> {
    const cached = this.systemAccounts.get(name);
    if (cached) return checkCurrency(name, cached, currency);
    const inserted = await manager.query<{ id: string; currency: string }[]>(
      `INSERT INTO ledger_accounts (kind, name, currency) VALUES ('system', $1, $2)
       ON CONFLICT (name) DO NOTHING RETURNING id, currency`,
      [name, currency],
    );
    // A row we just inserted is not committed yet (our caller may roll back): do not remember it.
    // On conflict, ON CONFLICT waited for the other inserter, so the row we then read is committed.
    if (inserted.length > 0) return checkCurrency(name, inserted[0], currency);
    const rows = await manager.query<{ id: string; currency: string }[]>(
      `SELECT id, currency FROM ledger_accounts WHERE name = $1`,
      [name],
    );
    if (rows.length === 0) throw new Error(`system account ${name} vanished`);
    const account = { id: rows[0].id, currency: rows[0].currency };
    this.systemAccounts.set(name, account);
    return checkCurrency(name, account, currency);
  }
}

/** The database's own refusal of an overdraft (the CHECK has the last word) is still a 422. */
export function mapLedgerError(error: unknown): unknown {
  const pg = pgError(error);
  if (pg?.code === '23514' && pg.constraint === USER_BALANCE_CONSTRAINT) return insufficientFunds();
  return error;
}

export function clearingAccountName(gateway: string, currency: string): string {
  return `clearing:${gateway}:${currency}`;
}

/** Deposits of one gateway and currency are spread over this many clearing accounts. */
export const DEPOSIT_CLEARING_SHARDS = 16;

/**
 * The clearing account a deposit is credited from: one of DEPOSIT_CLEARING_SHARDS
 * (`clearing:paystack:NGN:7`), chosen by the payment id. Every deposit posting locks its clearing
 * account until its settlement commits, so one account per gateway and currency made all
 * settlements of that gateway wait in line for each other; shards let up to 16 commit at once.
 * The gateway's clearing balance is the sum over `clearing:<gateway>:<currency>` and its shards.
 */
export function depositClearingAccountName(
  gateway: string,
  currency: string,
  paymentId: string,
): string {
  const shard =
    Number.parseInt(paymentId.replace(/-/g, '').slice(-4), 16) % DEPOSIT_CLEARING_SHARDS;
  return `${clearingAccountName(gateway, currency)}:${Number.isNaN(shard) ? 0 : shard}`;
}

function checkCurrency(
  name: string,
  account: LedgerAccountRef,
  currency: string,
): LedgerAccountRef {
  if (account.currency !== currency) {
    throw new Error(`system account ${name} holds ${account.currency}, not ${currency}`);
  }
  return account;
}

/** The database checks all of this too; checking here gives a stack trace that names the caller. */
function validatePosting(input: PostingInput): void {
  if (input.lines.length < 2) throw new Error('a posting needs at least two lines');
  const accounts = new Set<string>();
  let sum = 0n;
  for (const line of input.lines) {
    assertMinor(line.amount, 'posting amount');
    if (line.amount === 0) throw new Error('a posting line cannot be zero');
    if (accounts.has(line.accountId)) throw new Error('a posting names an account twice');
    accounts.add(line.accountId);
    sum += BigInt(line.amount);
  }
  if (sum !== 0n) throw new Error(`posting ${input.key} does not sum to zero`);
  if ((input.kind === 'refund_reversal') !== Boolean(input.reversesTransferId)) {
    throw new Error('exactly the refund_reversal postings name the transfer they reverse');
  }
}
