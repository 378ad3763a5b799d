// Drops the run's template database (and a half-built one), whoever built it.
import pg from 'pg';

export default async function globalTeardown() {
  const name = process.env.TEST_TEMPLATE_DATABASE;
  if (!name) return;
  const admin = new pg.Client({
    connectionString: process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await admin.connect();
  try {
    for (const database of [name, `${name}_wip`])
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
