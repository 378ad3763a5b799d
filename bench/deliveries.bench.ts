import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/migrate.js';
import { BENCH_DATA_KEY, createBenchDatabase, dropBenchState } from './bench-kit.js';
import { OutboxService } from '../src/modules/outbound-webhooks/outbox.service.js';
import { WebhookEndpointsService } from '../src/modules/outbound-webhooks/webhook-endpoints.service.js';
import { OutboxRelayService } from '../src/modules/outbound-webhooks/outbox-relay.service.js';
import { verifiesWith, WebhookReceiver } from '../test/fakes/webhook-receiver.js';
import type { SummaryRow } from './run.js';

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 10_000);
const TIMEOUT_MS = 10 * 60 * 1000;

export interface DeliveryRunResult {
  scenario: string;
  events: number;
  requests: number;
  retried: number;
  seconds: number;
  deliveriesPerSecond: number;
  failed: number;
  lost: number;
  signaturesChecked: number;
}

interface Context {
  app: INestApplicationContext;
  dataSource: DataSource;
  receiver: WebhookReceiver;
}

async function newUser(dataSource: DataSource, label: string): Promise<string> {
  const rows: { id: string }[] = await dataSource.query(
    `INSERT INTO users (email) VALUES ($1) RETURNING id`,
    [`bench-${label}-${randomBytes(4).toString('hex')}@example.com`],
  );
  return rows[0].id;
}

/**
 * Records EVENTS events for a fresh user with one endpoint, then measures from the relay kick to
 * the moment every delivery is `succeeded`. `failFirstOfHalf` makes the receiver answer 503 to the
 * first attempt of every other event, so those succeed only on their retry.
 */
async function runScenario(
  ctx: Context,
  scenario: string,
  failFirstOfHalf: boolean,
): Promise<DeliveryRunResult> {
  const { app, dataSource, receiver } = ctx;
  const path = `/${scenario}`;
  const userId = await newUser(dataSource, scenario);
  const { endpoint, secret } = await app
    .get(WebhookEndpointsService)
    .create(userId, { url: `${receiver.url}${path}`, events: ['*'] });

  const failing = new Set<string>();
  const firstSeen = new Set<string>();
  receiver.respondWith((request) => {
    const id = request.headers['webhook-id'];
    if (failFirstOfHalf && failing.has(id) && !firstSeen.has(id)) {
      firstSeen.add(id);
      return { status: 503, body: 'try again' };
    }
    return { status: 200, body: 'ok' };
  });

  // One transaction: the relay sees all the events at once, at its commit, which starts the clock.
  const outbox = app.get(OutboxService);
  const ids: string[] = [];
  await dataSource.transaction(async (manager) => {
    for (let i = 0; i < EVENTS; i++) {
      const id = await outbox.record(manager, {
        userId,
        type: 'wallet.transfer.received',
        data: { reference: `TRF-${i}`, amount: 1000 + i, currency: 'NGN' },
      });
      ids.push(id);
      if (failFirstOfHalf && i % 2 === 0) failing.add(id);
    }
  });

  const started = performance.now();
  await app.get(OutboxRelayService).kick();
  let succeeded = 0;
  let failed = 0;
  for (;;) {
    const [row]: { succeeded: number; failed: number }[] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
              count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM webhook_deliveries WHERE endpoint_id = $1`,
      [endpoint.id],
    );
    succeeded = row.succeeded;
    failed = row.failed;
    if (succeeded + failed >= EVENTS) break;
    if (performance.now() - started > TIMEOUT_MS) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - started) / 1000;

  // Every event must have reached the receiver with a 2xx answer at least once.
  const answered = new Set<string>();
  const requests = receiver.requests.filter((request) => request.path === path);
  for (const request of requests) {
    const id = request.headers['webhook-id'];
    if (!failing.has(id) || firstSeen.has(id)) answered.add(id);
  }
  const lost = ids.filter((id) => !answered.has(id)).length;
  let signaturesChecked = 0;
  for (let i = 0; i < requests.length; i += 100) {
    if (!verifiesWith(secret, requests[i])) throw new Error(`request ${i} does not verify`);
    signaturesChecked++;
  }
  return {
    scenario,
    events: EVENTS,
    requests: requests.length,
    retried: requests.length - new Set(requests.map((r) => r.headers['webhook-id'])).size,
    seconds: Math.round(seconds * 100) / 100,
    deliveriesPerSecond: Math.round(succeeded / seconds),
    failed,
    lost,
    signaturesChecked,
  };
}

/** 10,000 events to a local receiver, then again with half the first attempts failing. */
export async function runDeliveriesBench(): Promise<DeliveryRunResult[]> {
  const { adminUrl, name, url: databaseUrl } = await createBenchDatabase();
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  Object.assign(process.env, {
    NODE_ENV: 'test',
    PROCESS_ROLE: 'all',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    DATABASE_URL: databaseUrl,
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: process.env.JWT_SECRET ?? 'bench-jwt-secret-that-is-long-enough-0123456789',
    DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY ?? BENCH_DATA_KEY,
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '0,1,5',
  });
  const config = AppConfig.fromEnv();
  await migrate(config);
  const receiver = await new WebhookReceiver().start();
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  await app.init();
  try {
    const ctx: Context = { app, dataSource: app.get(DataSource), receiver };
    return [
      await runScenario(ctx, 'all-succeed', false),
      await runScenario(ctx, 'half-fail-first', true),
    ];
  } finally {
    await app.close();
    await receiver.close();
    await dropBenchState(config.redisUrl, prefix, adminUrl, name);
  }
}

export function formatDeliveryResults(results: DeliveryRunResult[]): string {
  return results
    .map(
      (r) =>
        `webhook deliveries [${r.scenario}]: ${r.events} events, ${r.requests} requests (${r.retried} retries), ` +
        `all settled in ${r.seconds} s = ${r.deliveriesPerSecond} deliveries/s; failed ${r.failed}, lost ${r.lost}; ` +
        `${r.signaturesChecked} signatures verified`,
    )
    .join('\n');
}

/** For bench/run.ts: a named benchmark that runs and reports in one line per scenario. */
export const deliveriesBench = {
  name: 'webhook-deliveries',
  run: async (): Promise<{ text: string; summary: SummaryRow[] }> => {
    const results = await runDeliveriesBench();
    const report = formatDeliveryResults(results);
    if (results.some((r) => r.lost > 0 || r.failed > 0))
      throw new Error(`deliveries were lost or failed:\n${report}`);
    return {
      text: report,
      summary: results.map((r) => ({
        bench: 'webhook-deliveries',
        metric: `${r.scenario}: deliveries/s (all delivered in s; lost)`,
        value: `${r.deliveriesPerSecond} (${r.seconds} s; ${r.lost} lost)`,
        target: 'none lost',
        status: r.lost === 0 && r.failed === 0 ? 'met' : 'MISSED',
      })),
    };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await runDeliveriesBench();
  console.log(formatDeliveryResults(results));
  process.exit(results.some((r) => r.lost > 0 || r.failed > 0) ? 1 : 0);
}
