import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { ensureDatabase, migrate } from '../database/migrate.js';
import type { CliCommand } from './cli-command.js';

/** The generated schema, checked in beside the migrations. */
export const SCHEMA_FILE = 'db/schema.sql';

const HEADER = `-- The current schema: every table, index, constraint, function and trigger as the migrations
-- (migrations/) leave a database. Generated, never edited: \`npm run db:schema\` writes it from a
-- database migrated from scratch, and a test (test/integration/db-schema.spec.ts) fails while it
-- is stale. Migrations are history and never change; to change the schema, add one and
-- regenerate this file. The body of a function here is its body now, whichever migration last
-- redefined it.
`;

/** Lines pg_dump writes that say where and when it ran (or differ on every run), not the schema. */
const VOLATILE = [/^-- Dumped (from database|by pg_dump) version /, /^\\(un)?restrict /];

/** `databaseUrl` pointing at another database of the same server. */
export function databaseUrlFor(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * The schema of the database at `databaseUrl` as db/schema.sql holds it: `pg_dump --schema-only`
 * (no owners or privileges, which belong to a deployment) without its volatile lines. Needs a
 * pg_dump of the server's major version or newer (PG_DUMP names another binary).
 */
export async function dumpSchema(databaseUrl: string, pgDump = 'pg_dump'): Promise<string> {
  const { stdout } = await promisify(execFile)(
    pgDump,
    ['--schema-only', '--no-owner', '--no-privileges', `--dbname=${databaseUrl}`],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const lines = stdout
    .split('\n')
    .filter((line) => !VOLATILE.some((pattern) => pattern.test(line)));
  return `${HEADER}\n${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/**
 * A scratch database on DATABASE_URL's server, migrated from nothing and dropped afterwards: the
 * schema exactly as the migrations make it, whatever state the service's own database is in.
 */
async function migratedScratchSchema(config: AppConfig, pgDump: string): Promise<string> {
  const name = `payments_schema_${randomBytes(4).toString('hex')}`;
  const url = databaseUrlFor(config.databaseUrl, name);
  await ensureDatabase(url);
  try {
    await migrate(new AppConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url }));
    return await dumpSchema(url, pgDump);
  } finally {
    const admin = new pg.Client({
      connectionString: databaseUrlFor(config.databaseUrl, 'postgres'),
    });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}

export const dbSchemaCommand: CliCommand = {
  name: 'db:schema',
  description: `Write ${SCHEMA_FILE} from a scratch database migrated from nothing (--check: exit 1 if it is stale)`,
  usage: 'db:schema [--check] [--pg-dump path]',
  async run({ config, options, print }) {
    const pgDump = typeof options['pg-dump'] === 'string' ? options['pg-dump'] : 'pg_dump';
    const schema = await migratedScratchSchema(config, pgDump);
    if (options.check === true) {
      const current = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
      if (current === schema) {
        print(`${SCHEMA_FILE} is up to date`);
        return 0;
      }
      print(`${SCHEMA_FILE} is stale: run npm run db:schema`);
      return 1;
    }
    await mkdir(dirname(SCHEMA_FILE), { recursive: true });
    await writeFile(SCHEMA_FILE, schema);
    print(`wrote ${SCHEMA_FILE}`);
    return 0;
  },
};
