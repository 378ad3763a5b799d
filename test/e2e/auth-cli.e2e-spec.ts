import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { DataKeyring } from '../../src/common/crypto/data-keyring.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { userTokenCommand } from '../../src/cli/user.commands.js';
import { JWT_SIGNING_SECRET } from '../../src/modules/auth/jwt/jwt-secret.provider.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import {
  createTestApp,
  createTestDatabase,
  runCli,
  TestApp,
  TestDatabase,
} from '../helpers/test-env.js';

/** Runs the CLI command as src/cli.ts does, against a running test app's context. */
const runUserToken = (t: TestApp, options: Record<string, string | true>): Promise<string[]> =>
  runCli(t, userTokenCommand, options);

describe('user:token CLI and the shared development JWT secret (e2e)', () => {
  describe('with JWT_SECRET and DATA_ENCRYPTION_KEY unset', () => {
    let db: TestDatabase;
    let first: TestApp;
    let second: TestApp;
    let client: pg.Client;
    const keyDir = mkdtempSync(join(tmpdir(), 'dev-data-key-'));
    const keyFile = join(keyDir, '.dev-data-key');

    beforeAll(async () => {
      db = await createTestDatabase();
      // Two "processes" booting together against one database must agree on one data key and
      // one JWT secret.
      const env = {
        JWT_SECRET: undefined,
        DATA_ENCRYPTION_KEY: undefined,
        DATA_ENCRYPTION_KEY_FILE: keyFile,
      };
      [first, second] = await Promise.all([createTestApp({ db, env }), createTestApp({ db, env })]);
      client = new pg.Client({ connectionString: db.url });
      await client.connect();
    });

    afterAll(async () => {
      await client.end();
      await first.close();
      await second.close();
      await db.drop();
      rmSync(keyDir, { recursive: true, force: true });
    });

    it('generates one data key into a file only its owner can read, never into the database', async () => {
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
      expect(key).toHaveLength(32);
      const secrets = await client.query<{ value: string }>(`SELECT value FROM app_secrets`);
      expect(DataKeyring.keyIdOf(secrets.rows[0].value)).toBe(DataKeyring.keyId(key));
      // Nowhere in the database: every row of every table, as text.
      const tables = await client.query<{ name: string }>(
        `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'`,
      );
      for (const { name } of tables.rows) {
        const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
        for (const { row } of rows.rows) {
          expect(row).not.toContain(key.toString('base64'));
          expect(row).not.toContain(key.toString('base64url'));
          expect(row).not.toContain(key.toString('hex'));
        }
      }
    });

    it('is registered as a CLI command', () => {
      expect(COMMANDS.map((command) => command.name)).toContain('user:token');
    });

    it('generates one 64-byte secret, stores it once and sealed, and every process accepts the others’ tokens', async () => {
      const secrets = await client.query<{ name: string; value: string }>(
        `SELECT name, value FROM app_secrets`,
      );
      expect(secrets.rows).toHaveLength(1);
      const secret = first.get<string>(JWT_SIGNING_SECRET);
      expect(second.get<string>(JWT_SIGNING_SECRET)).toBe(secret);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(64);
      const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
      expect(secrets.rows[0].value).not.toContain(secret);
      expect(new DataKeyring(key).open(secrets.rows[0].value, 'app_secrets:jwt_secret')).toBe(
        secret,
      );

      const [token] = await runUserToken(first, { email: 'Cli.User@Example.com' });
      const me = await request(second.url)
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(me.body.email).toBe('cli.user@example.com');
    });

    it('finds the same user on a second run and prints the refresh token on a labelled line when asked', async () => {
      const [token1] = await runUserToken(first, { email: 'repeat@example.com' });
      const printed = await runUserToken(second, { email: 'repeat@example.com', refresh: true });
      expect(printed).toHaveLength(2);
      expect(printed[1]).toMatch(/^refresh_token: [A-Za-z0-9_-]{43}$/);
      const a = await request(first.url)
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${token1}`)
        .expect(200);
      const b = await request(first.url)
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${printed[0]}`)
        .expect(200);
      expect(b.body.id).toBe(a.body.id);
      const users = await client.query(
        `SELECT count(*)::int AS n FROM users WHERE email = 'repeat@example.com'`,
      );
      expect(users.rows[0].n).toBe(1);
      const refreshed = await request(first.url)
        .post('/api/v1/auth/refresh')
        .send({ refresh_token: printed[1].slice('refresh_token: '.length) })
        .expect(200);
      expect(refreshed.body.access_token).toEqual(expect.any(String));
    });

    it('refuses a missing or malformed email', async () => {
      await expect(runUserToken(first, {})).rejects.toThrow('--email is required');
      await expect(runUserToken(first, { email: 'not-an-email' })).rejects.toThrow(/email address/);
    });
  });

  describe('with JWT_SECRET set', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp();
    });

    afterAll(async () => {
      await t.close();
    });

    it('uses the configured secret and stores none', async () => {
      const [token] = await runUserToken(t, { email: 'configured@example.com' });
      await request(t.url)
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      const client = new pg.Client({ connectionString: t.db.url });
      await client.connect();
      try {
        const secrets = await client.query(`SELECT count(*)::int AS n FROM app_secrets`);
        expect(secrets.rows[0].n).toBe(0);
      } finally {
        await client.end();
      }
      expect(
        await t.get<UsersService>(UsersService).findByEmail('configured@example.com'),
      ).not.toBeNull();
    });
  });
});
