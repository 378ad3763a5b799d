import type { EntityManager } from 'typeorm';

/**
 * Runs SQL and returns its rows whatever the command (TypeORM's plain `query` answers
 * `[rows, count]` for UPDATE/DELETE … RETURNING but bare rows otherwise). Joins the manager's
 * transaction when it has one.
 */
export async function queryRows<T>(
  manager: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (manager.queryRunner) {
    const result = await manager.queryRunner.query(sql, params, true);
    return result.records as T[];
  }
  const runner = manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, params, true);
    return result.records as T[];
  } finally {
    await runner.release();
  }
}

/** Postgres unique_violation (23505), as raised directly or wrapped by TypeORM. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const source =
    'driverError' in error && typeof error.driverError === 'object' && error.driverError !== null
      ? error.driverError
      : error;
  return 'code' in source && source.code === '23505';
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The numbered parameters of one statement being composed from parts: `add` returns the
 * placeholder (`$n`) of a value, so parts written by different modules number theirs in turn.
 */
export class SqlParams {
  readonly values: unknown[];

  constructor(first: unknown[] = []) {
    this.values = [...first];
  }

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * A call of a SQL function defined in a migration, with its arguments in order, for a caller to
 * run inside a statement or transaction of its own (`… FROM name(args…)`).
 */
export interface SqlFunctionCall {
  name: string;
  args: unknown[];
}

const FUNCTION_NAME = /^[a-z_][a-z0-9_]*$/;

/** `name($n, …)` with the call's arguments added to `params`. */
export function callSql(call: SqlFunctionCall, params: SqlParams): string {
  if (!FUNCTION_NAME.test(call.name)) throw new Error(`not a SQL function name: ${call.name}`);
  return `${call.name}(${call.args.map((arg) => params.add(arg)).join(', ')})`;
}
