import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Type } from '@nestjs/common';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Redis } from 'ioredis';
import { AppModule, HTTP_FEATURES } from '../../src/app.module.js';
import type { CliCommand } from '../../src/cli/cli-command.js';
import { configureApp, listenApp } from '../../src/http/configure-app.js';
import { AppConfig } from '../../src/config/app-config.js';
import { migrate } from '../../src/database/migrate.js';
import {
  adminQuery,
  databaseUrl,
  dropDatabase,
  QUIET_LOGGER,
  templateDatabase,
} from '../setup/template-database.js';

export { PG_ADMIN_URL } from '../setup/template-database.js';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';
/** 32 bytes in base64: the data key test apps seal secrets with (DATA_ENCRYPTION_KEY). */
export const TEST_DATA_KEY = Buffer.alloc(32, 0x5a).toString('base64');

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of this test file's own, dropped afterwards: a copy of the template migrated once for
 * the whole run (test/setup/template-database.ts), so it starts fully migrated.
 * `empty` gives a database with no schema at all, for tests that run migrations themselves.
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `payments_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = options.empty ? undefined : await templateDatabase();
  await adminQuery(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}

/** Deletes only the keys under this test's own prefix; never touches anything else in Redis. */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Redis may be the one a fault test stopped; nothing of ours is left in a dead server
  } finally {
    redis.disconnect();
  }
}

export function testEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}`,
    ADMIN_EMAILS: 'admin@example.com',
    ...overrides,
  };
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  db: TestDatabase;
  /** Base URL of the listening server, for supertest or fetch. */
  url: string;
  get<T>(token: unknown): T;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string | undefined>;
  /** Replace collaborators (e.g. a clock) before the module compiles. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Reuse a database (e.g. a second process against the same data). */
  db?: TestDatabase;
  /** Extra controllers declared by the test file itself (never test-only routes in src). */
  controllers?: Type<unknown>[];
  /** Sees every request Express handles (not those a lean route answers first), as it arrives. */
  onExpressRequest?: (req: IncomingMessage) => void;
  /** Listen on this loopback port instead of an ephemeral one (see freePort). */
  port?: number;
}

/** A loopback port free right now, for a test that must name its URL (APP_URL) before boot. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The real AppModule on a fresh migrated database (migrate finds nothing pending on a copy of the template), listening on an ephemeral loopback port. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const config = new AppConfig(testEnv({ DATABASE_URL: db.url, ...options.env }));
  await migrate(config, QUIET_LOGGER);
  let builder = Test.createTestingModule({
    imports: [AppModule],
    controllers: options.controllers ?? [],
  })
    .overrideProvider(AppConfig)
    .useValue(config);
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    rawBody: true,
    bufferLogs: true,
  });
  const onExpressRequest = options.onExpressRequest;
  if (onExpressRequest) {
    app.use((req: IncomingMessage, _res: unknown, next: () => void) => {
      onExpressRequest(req);
      next();
    });
  }
  configureApp(app, HTTP_FEATURES);
  await listenApp(app, options.port ?? 0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    config,
    db,
    url: `http://127.0.0.1:${address.port}`,
    get: <T>(token: unknown): T => app.get<T>(token as never),
    close: async () => {
      await app.close();
      await deleteRedisPrefix(config.redisUrl, config.redisKeyPrefix);
      if (!options.db) await db.drop();
    },
  };
}

/** Runs a CLI command as src/cli.ts does, against a running test app's context; returns what it printed. */
export async function runCli(
  t: TestApp,
  command: CliCommand,
  options: Record<string, string | true> = {},
): Promise<string[]> {
  const printed: string[] = [];
  await command.run({
    config: t.config,
    options,
    print: (line) => printed.push(line),
    app: async () => t.app,
  });
  return printed;
}
