/** The fields node-postgres puts on a server error (TypeORM's QueryFailedError copies them). */
export interface PgErrorFields {
  code?: string;
  constraint?: string;
  detail?: string;
}

/** A PostgreSQL error's fields, as raised directly or wrapped by TypeORM; undefined for others. */
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

/** The SQLSTATE of a PostgreSQL error, as raised directly or wrapped by TypeORM. */
export function sqlStateOf(error: unknown): string | undefined {
  return pgError(error)?.code;
}

/** PostgreSQL unique_violation (23505). */
export function isUniqueViolation(error: unknown): boolean {
  return sqlStateOf(error) === '23505';
}
