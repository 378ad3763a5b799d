import { Logger } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '../../src/config/app-config.js';
import { migrate } from '../../src/database/migrate.js';

/**
 * The database every test database is cloned from (`CREATE DATABASE … TEMPLATE`), so the
 * migrations run once per `npm test` instead of once per test file. The global setup
 * (global-setup.mjs) only names it, in this environment variable the test workers inherit; the
 * first worker to need it builds it under an advisory lock, the others wait for it, and the
 * global teardown drops it. Without the variable (jest run another way) each database is migrated
 * from scratch, as before.
 */
export const TEMPLATE_DATABASE_ENV = 'TEST_TEMPLATE_DATABASE';

export const PG_ADMIN_URL =
  process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Arbitrary but fixed: template builders of one run take turns under it. */
const TEMPLATE_LOCK_ID = 727_274_777;

/** Migration progress is noise in test output. */
export const QUIET_LOGGER = new Logger('Migrations');
QUIET_LOGGER.log = () => undefined;

export function databaseUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(run: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    return await run(admin);
  } finally {
    await admin.end();
  }
}

export async function adminQuery(sql: string): Promise<void> {
  await withAdmin((admin) => admin.query(sql));
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

let built: Promise<string | undefined> | undefined;

/**
 * The run's template database, migrated; undefined when the run names none. Built under a
 * `<name>_wip` name and renamed when complete, so a worker that died half-way leaves nothing that
 * looks finished.
 */
export function templateDatabase(): Promise<string | undefined> {
  const name = process.env[TEMPLATE_DATABASE_ENV];
  if (!name) return Promise.resolve(undefined);
  built ??= withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_ID]);
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 1) return name;
      const wip = `${name}_wip`;
      await admin.query(`DROP DATABASE IF EXISTS "${wip}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${wip}"`);
      await migrate(
        new AppConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl(wip) }),
        QUIET_LOGGER,
      );
      await admin.query(`ALTER DATABASE "${wip}" RENAME TO "${name}"`);
      return name;
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_ID]);
    }
  });
  return built;
}
