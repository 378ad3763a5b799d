import { AppError, unprocessable } from '../../common/errors/app-error.js';
import { pgError } from '../../database/pg-error.js';

/** SQLSTATEs raised by the ledger's own functions and triggers (see db/schema.sql). */
export const LedgerSqlState = {
  InvalidPosting: 'LD002',
  UnknownAccount: 'LD003',
  CurrencyMismatch: 'LD004',
  AppendOnly: 'LD010',
  Unbalanced: 'LD011',
} as const;

export const USER_BALANCE_CONSTRAINT = 'ledger_accounts_user_balance_non_negative';

export const insufficientFunds = (): AppError =>
  unprocessable('INSUFFICIENT_FUNDS', 'The wallet balance is too low for this amount');

/** The database's own refusal of an overdraft (the CHECK has the last word) is still a 422. */
export function mapLedgerError(error: unknown): unknown {
  const pg = pgError(error);
  if (pg?.code === '23514' && pg.constraint === USER_BALANCE_CONSTRAINT) return insufficientFunds();
  return error;
}
