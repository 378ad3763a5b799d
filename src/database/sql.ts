import type { EntityManager } from 'typeorm';
import { redactSqlError } from '../common/logging/sql-error-redaction.js';

/** What node-postgres' Client and Pool have in common that queryRows uses. */
interface PgQueryable {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * Runs SQL and returns its rows whatever the command, joining the manager's transaction when it
 * has one (else on any pooled connection). It goes straight to node-postgres, past TypeORM's query
 * runner, logging and subscribers, which hot paths would pay for on every call. Errors are
 * node-postgres' own (`code`, `constraint`: see isUniqueViolation and the wallet's pgError), with
 * the parameters' values taken out of them (redactSqlError), as TypeORM's are by SqlLogger.
 * Statements are unnamed, so Postgres plans each for the tables as they are now.
 */
export async function queryRows<T>(
  manager: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const target = (
    manager.queryRunner
      ? await manager.queryRunner.connect()
      : (manager.connection.driver as unknown as { master: unknown }).master
  ) as PgQueryable;
  try {
    const result = await target.query(sql, params);
    return result.rows as T[];
  } catch (error) {
    redactSqlError(error, params);
    throw error;
  }
}

/** Postgres unique_violation (23505), as raised directly or wrapped by TypeORM. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlStateOf(error) === '23505';
}

/** The SQLSTATE of a Postgres error, as raised directly or wrapped by TypeORM. */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const source =
    'driverError' in error && typeof error.driverError === 'object' && error.driverError !== null
      ? error.driverError
      : error;
  return 'code' in source && typeof source.code === 'string' ? source.code : undefined;
}

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
