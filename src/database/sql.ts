import type { EntityManager } from 'typeorm';
import { redactSqlError } from '../common/logging/sql-error-redaction.js';
import { logFailedQuery } from './sql-logger.js';

/** A node-postgres client, as far as queryRows uses one. */
interface PgClient {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
  once(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * What TypeORM's PostgresDriver.obtainMasterConnection() (the public Driver interface) resolves
 * to: a client checked out of the pool, and the pool's release, which discards the client when
 * given an error.
 */
type PooledClient = [client: PgClient, release: (error?: unknown) => void];

/**
 * The one way to run SQL by hand: a statement and its parameters in, its rows out, whatever the
 * command (an UPDATE or DELETE answers its RETURNING rows: count them to know how many changed).
 * Joins the manager's transaction when it has one, else runs on a connection of the pool, as
 * pg's Pool.query does (a client that fails leaves the pool). It goes straight to node-postgres,
 * past TypeORM's query runner and subscribers, which hot paths would pay for on every call.
 * Errors are node-postgres' own (`code`, `constraint`: see pg-error.ts) with the parameters'
 * values taken out of them (redactSqlError), and are logged without them, as SqlLogger does for
 * TypeORM. Statements are unnamed, so PostgreSQL plans each for the tables as they are now.
 *
 * TypeORM keeps the rest: migrations, `dataSource.transaction`, and single-table CRUD through an
 * entity's repository.
 */
export async function queryRows<T>(
  manager: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (manager.queryRunner)
    return run<T>((await manager.queryRunner.connect()) as PgClient, sql, params);
  const [client, release] =
    (await manager.connection.driver.obtainMasterConnection()) as PooledClient;
  let failure: unknown;
  const onError = (error: Error): void => {
    failure ??= error;
  };
  client.once('error', onError);
  try {
    return await run<T>(client, sql, params);
  } catch (error) {
    failure ??= error;
    throw error;
  } finally {
    client.removeListener('error', onError);
    release(failure);
  }
}

async function run<T>(client: PgClient, sql: string, params: unknown[]): Promise<T[]> {
  try {
    return (await client.query(sql, params)).rows as T[];
  } catch (error) {
    redactSqlError(error, params);
    logFailedQuery(error, sql);
    throw error;
  }
}

/**
 * A call of a SQL function (db/schema.sql), with its arguments in order, for a caller to run
 * inside a statement of its own (`… FROM name(args…)`): the settlement statement runs these.
 */
export interface SqlFunctionCall {
  name: string;
  args: unknown[];
  /** What each argument is, for readers of the statement (its parameter names). */
  argNames?: string[];
}
