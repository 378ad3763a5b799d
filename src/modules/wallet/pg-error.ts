/** The fields node-postgres puts on a server error (TypeORM's QueryFailedError copies them). */
export interface PgErrorFields {
  code?: string;
  constraint?: string;
  detail?: string;
}

export function pgError(error: unknown): PgErrorFields | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const source =
    'driverError' in error && typeof error.driverError === 'object' && error.driverError !== null
      ? error.driverError
      : error;
  const code = 'code' in source && typeof source.code === 'string' ? source.code : undefined;
  if (code === undefined) return undefined;
  return {
    code,
    constraint:
      'constraint' in source && typeof source.constraint === 'string'
        ? source.constraint
        : undefined,
    detail: 'detail' in source && typeof source.detail === 'string' ? source.detail : undefined,
  };
}

/** SQLSTATEs raised by the ledger's own functions and triggers (see the ledger migration). */
export const LedgerSqlState = {
  InvalidPosting: 'LD002',
  UnknownAccount: 'LD003',
  CurrencyMismatch: 'LD004',
  AppendOnly: 'LD010',
  Unbalanced: 'LD011',
} as const;

export const USER_BALANCE_CONSTRAINT = 'ledger_accounts_user_balance_non_negative';
