import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assertMinor, minorFromDb } from '../../common/money.js';
import { pgError } from '../../database/pg-error.js';
import { queryRows } from '../../database/sql.js';
import { insufficientFunds, LedgerSqlState, mapLedgerError } from './ledger-errors.js';
import type { LedgerAccountRef, PostedTransfer, PostingInput } from './ledger.types.js';

interface PostRow {
  outcome: 'created' | 'existing' | 'insufficient_funds';
  transfer_id: string;
  created_at: Date;
  entry_id: string;
  account_id: string;
  amount: string;
  balance_after: string;
}

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
    assertValidPosting(input);
    let rows: PostRow[];
    try {
      rows = await queryRows<PostRow>(
        manager,
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
      throw this.failure(error);
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
   * What a statement that posts through the ledger failed with, as the caller should see it (an
   * overdraft the database refused is 422 INSUFFICIENT_FUNDS). A remembered system account can
   * only be unknown if the transaction that created it (and read it back) rolled back: they are
   * all forgotten, and the next use looks again.
   */
  failure(error: unknown): unknown {
    if (pgError(error)?.code === LedgerSqlState.UnknownAccount) this.systemAccounts.clear();
    return mapLedgerError(error);
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
    const inserted = await queryRows<{ id: string; currency: string }>(
      manager,
      `INSERT INTO ledger_accounts (kind, name, currency) VALUES ('system', $1, $2)
       ON CONFLICT (name) DO NOTHING RETURNING id, currency`,
      [name, currency],
    );
    // A row we just inserted is not committed yet (our caller may roll back): do not remember it.
    // On conflict, ON CONFLICT waited for the other inserter, so the row we then read is committed.
    if (inserted.length > 0) return checkCurrency(name, inserted[0], currency);
    const rows = await queryRows<{ id: string; currency: string }>(
      manager,
      `SELECT id, currency FROM ledger_accounts WHERE name = $1`,
      [name],
    );
    if (rows.length === 0) throw new Error(`system account ${name} vanished`);
    const account = { id: rows[0].id, currency: rows[0].currency };
    this.systemAccounts.set(name, account);
    return checkCurrency(name, account, currency);
  }
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
export function assertValidPosting(input: PostingInput): void {
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
