import type { EntityManager } from 'typeorm';

interface PgQueryConfig {
  name: string;
  text: string;
  values: unknown[];
}

/** What node-postgres' Client and Pool have in common that this module uses. */
interface PgQueryable {
  query(config: PgQueryConfig): Promise<{ rows: Record<string, unknown>[] }>;
}

/** Statement text → its name; the set of texts is small and fixed (built from code, never input). */
const statementNames = new Map<string, string>();

function nameOf(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `prepared_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Runs a statement of a hot path as a named prepared statement on the manager's
 * connection (its transaction's, or any pooled one without a transaction): node-postgres parses it
 * once per connection and Postgres plans it once per connection instead of on every call, and the
 * call skips TypeORM's query logging and subscriber broadcast. Errors are node-postgres' own
 * (`code`, `constraint`), not TypeORM's QueryFailedError wrapping them.
 */
export async function preparedRows<R>(
  manager: EntityManager,
  text: string,
  values: unknown[],
): Promise<R[]> {
  const target = (
    manager.queryRunner
      ? await manager.queryRunner.connect()
      : (manager.connection.driver as unknown as { master: unknown }).master
  ) as PgQueryable;
  const result = await target.query({ name: nameOf(text), text, values });
  return result.rows as R[];
}
