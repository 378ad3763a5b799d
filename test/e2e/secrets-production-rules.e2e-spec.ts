import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  deleteRedisPrefix,
  PG_ADMIN_URL,
  TEST_DATA_KEY,
  TEST_JWT_SECRET,
  TEST_REDIS_URL,
} from '../helpers/test-env.js';
import { freePort, stopChild } from './faults.helpers.js';
import { waitFor } from './payments.helpers.js';

const PUBLIC_APP_URL = 'https://pay.example.com';

/**
 * `node dist/src/main.js` (as `npm start`) and the CLI, configured for a deployment others reach:
 * an APP_URL off loopback is production for secrets, whatever NODE_ENV says (here: unset).
 */
describe('secrets where APP_URL is not on loopback (e2e)', () => {
  const dbName = `payments_test_rules_${randomBytes(4).toString('hex')}`;
  const keyDir = mkdtempSync(join(tmpdir(), 'rules-data-key-'));
  const keyFile = join(keyDir, '.dev-data-key');
  const prefix = `test_rules_${randomBytes(4).toString('hex')}`;
  let baseEnv: Record<string, string | undefined>;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'ignore' });
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    baseEnv = { ...process.env };
    for (const name of ['NODE_OPTIONS', 'NODE_ENV', 'JWT_SECRET', 'DATA_ENCRYPTION_KEY'])
      delete baseEnv[name];
    Object.assign(baseEnv, {
      APP_URL: PUBLIC_APP_URL,
      DATABASE_URL: url.toString(),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      DATA_ENCRYPTION_KEY_FILE: keyFile,
      LOG_LEVEL: 'warn',
      // Were a refusal ever to fail, the process must not take anyone's port 3000.
      PORT: String(await freePort()),
    });
  }, 120_000);

  afterAll(async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    await deleteRedisPrefix(TEST_REDIS_URL, prefix);
    rmSync(keyDir, { recursive: true, force: true });
  });

  function run(
    script: string,
    args: string[],
    env: Record<string, string | undefined>,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [script, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  async function databaseExists(): Promise<boolean> {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      const rows = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [dbName]);
      return rows.rowCount === 1;
    } finally {
      await admin.end();
    }
  }

  it.each([
    ['JWT_SECRET', {}],
    ['DATA_ENCRYPTION_KEY', { JWT_SECRET: TEST_JWT_SECRET }],
  ])(
    'refuses to start without %s, with one line naming it, and touches nothing',
    async (variable, given) => {
      for (const [script, args] of [
        ['dist/src/main.js', []],
        ['dist/src/cli.js', ['user:token', '--email', 'ops@example.com']],
      ] as const) {
        const { code, stdout, stderr } = await run(script, [...args], { ...baseEnv, ...given });
        expect({ script, code }).toEqual({ script, code: 1 });
        expect(stdout).toBe('');
        const lines = stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(
            `^Invalid configuration: ${variable} is required when APP_URL is not on loopback \\(${PUBLIC_APP_URL.replace(/\./g, '\\.')}\\)`,
          ),
        );
      }
      // Nothing was generated or created on the way out.
      expect(existsSync(keyFile)).toBe(false);
      expect(await databaseExists()).toBe(false);
    },
  );

  it('starts with both given, and generates and stores no secret of its own', async () => {
    const port = await freePort();
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, ['dist/src/main.js'], {
        env: {
          ...baseEnv,
          PORT: String(port),
          JWT_SECRET: TEST_JWT_SECRET,
          DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
        },
        stdio: 'ignore',
      });
      await waitFor(
        () =>
          fetch(`http://127.0.0.1:${port}/api/v1/health`).then(
            (res) => res.status,
            () => 0,
          ),
        (status) => status === 200,
        60_000,
      );
    } finally {
      if (child) await stopChild(child, 'SIGTERM');
    }
    expect(existsSync(keyFile)).toBe(false);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const secrets = await client.query(`SELECT name FROM app_secrets`);
      expect(secrets.rows).toEqual([]);
    } finally {
      await client.end();
    }
  }, 90_000);
});
