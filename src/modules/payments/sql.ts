import type { EntityManager } from 'typeorm';

/**
 * Runs SQL and returns its rows whatever the command (TypeORM's plain `query` answers
 * `[rows, count]` for UPDATE/DELETE … RETURNING). Joins the manager's transaction when it has one.
 */
export async function queryRows<T>(manager: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
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
