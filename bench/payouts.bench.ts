import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/migrate.js';
import { TokensService } from '../src/modules/auth/jwt/tokens.service.js';
import { LedgerCheckService } from '../src/modules/ledger/ledger-check.service.js';
import { inFlightAccountName, newPayoutReference } from '../src/modules/payouts/payout-rows.js';
import { PayoutsService } from '../src/modules/payouts/payouts.service.js';
import { QueueName } from '../src/queue/queue-names.js';
import { bullPrefix } from '../src/queue/queue-producer.service.js';
import { UsersService } from '../src/modules/users/users.service.js';
import { WalletService } from '../src/modules/wallet/wallet.service.js';
import { FakePaystack } from '../test/fakes/fake-paystack.js';
import {
  BENCH_DATA_KEY,
  dropBenchState,
  drive,
  ledgerCheckRow,
  freePort,
  settingsLines,
  startFlags,
  stopChild,
  textTable,
  waitForHealth,
} from './bench-kit.js';
import { postJson } from './http-post.js';
import type { SummaryRow } from './run.js';

const USERS = Number(process.env.BENCH_USERS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Withdrawals sent (and made final) before anything is measured: JIT, caches, connections. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 20);
/** How long the fake Paystack keeps a transfer pending before it succeeds and sends its webhook. */
const SETTLE_MS = Number(process.env.BENCH_TRANSFER_SETTLE_MS ?? 500);
const OPENING_BALANCE = 1_000_000_000;
/**
 * `split` (default): an api process and a worker process that sends the transfers meanwhile, as
 * docker-compose deploys the app; `all`: one PROCESS_ROLE=all process doing both on one event
 * loop; `api`: the api process alone (nothing is sent; the final time is then not measured).
 */
const TOPOLOGY = ['all', 'api'].includes(process.env.BENCH_PROCESS_ROLE ?? '')
  ? (process.env.BENCH_PROCESS_ROLE as 'all' | 'api')
  : 'split';
/** Extra node flags for the app process(es), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const APP_NODE_ARGS = (process.env.BENCH_APP_NODE_ARGS ?? '')
  .split(' ')
  .filter((arg) => arg.length > 0);
const FINAL_TIMEOUT_S = Number(process.env.BENCH_FINAL_TIMEOUT_SECONDS ?? 300);

interface Payer {
  userId: string;
  accountId: string;
  recipientId: string;
  authorization: string;
}

type RunPath =
  'http, queue paused' | 'http, worker sending meanwhile' | 'http, api alone' | 'bare sql';

interface Run {
  path: RunPath;
  accepted: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export interface PayoutsBenchResult {
  settings: Record<string, string | number>;
  overrides: Record<string, string>;
  runs: Run[];
  /** Every withdrawal accepted over HTTP: warm-up and measured runs. */
  httpAccepted: number;
  /** Queue-paused run: from resuming the queue until its backlog is final. */
  backlogSeconds: number | null;
  /** Worker-meanwhile run: from its first request until every withdrawal it made is final. */
  finalSeconds: number | null;
  finalCounts: Record<string, number>;
  transferCalls: number;
  transfersAtGateway: number;
  ledgerOk: boolean;
  ledgerProblems: number;
}

/** `drive` at the bench's concurrency, as one row of the results. */
async function driveRun(seconds: number, task: (worker: number) => Promise<boolean>) {
  const run = await drive(seconds, CONCURRENCY, task);
  const accepted = run.count - run.errors;
  return {
    accepted,
    errors: run.errors,
    seconds: Math.round(run.elapsed * 100) / 100,
    perSecond: Math.round(accepted / run.elapsed),
    p50: Math.round(run.p50 * 100) / 100,
    p99: Math.round(run.p99 * 100) / 100,
  };
}

/** Funded users, each with a Paystack recipient made through the service (the fake resolves it). */
async function createPayers(app: INestApplicationContext, first = 0): Promise<Payer[]> {
  const users = app.get(UsersService);
  const tokens = app.get(TokensService);
  const wallets = app.get(WalletService);
  const payouts = app.get(PayoutsService);
  const dataSource = app.get(DataSource);
  const payers: Payer[] = [];
  for (let i = 0; i < USERS; i++) {
    const user = await users.findOrCreateByEmail(
      `payout-bench-${i}-${randomBytes(3).toString('hex')}@example.com`,
    );
    const session = await tokens.issueSession(user);
    const wallet = await wallets.walletAccountOf(user.id);
    const recipient = await payouts.createRecipient(user.id, {
      gateway: 'paystack',
      type: 'bank_account',
      currency: 'NGN',
      bank_code: '058',
      account_number: String(1_000_000_000 + first + i),
    });
    payers.push({
      userId: user.id,
      accountId: wallet.id,
      recipientId: recipient.id,
      authorization: `Bearer ${session.accessToken}`,
    });
  }
  // Funded the way money arrives: a settled deposit credited by the wallet's settlement hook.
  await dataSource.transaction(async (manager) => {
    for (const [i, payer] of payers.entries()) {
      const reference = `PAY-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${String(first + i).padStart(8, '0')}`;
      const [payment]: { id: string }[] = await manager.query(
        `INSERT INTO payments (reference, user_id, purpose, gateway, status, amount, currency, amount_received,
                               email, expires_at, settled_at)
         VALUES ($1, $2, 'wallet_deposit', 'paystack', 'succeeded', $3, 'NGN', $3, 'bench@example.com',
                 now() + interval '1 day', now())
         RETURNING id`,
        [reference, payer.userId, OPENING_BALANCE],
      );
      await wallets.creditDeposit(manager, {
        paymentId: payment.id,
        paymentReference: reference,
        userId: payer.userId,
        gateway: 'paystack',
        currency: 'NGN',
        amount: OPENING_BALANCE,
      });
    }
  });
  return payers;
}

/**
 * The hold as the service makes it, straight through `pg`: the one `payout_hold` statement the
 * HTTP path runs once auth, validation and the recipient and wallet lookups are done. Its payouts
 * are left `pending`, never sent: the app is stopped by then.
 */
async function bareHold(
  pool: pg.Pool,
  payer: Payer,
  inFlight: Map<string, string>,
): Promise<boolean> {
  const id = randomUUID();
  const account = inFlight.get(inFlightAccountName('NGN', id));
  if (!account) return false;
  try {
    const { rows } = await pool.query<{ outcome: string }>(
      `SELECT * FROM payout_hold($1, $2, $3, $4, $5, $6, 'paystack', $7, 'NGN', 'pending', NULL, false, now(), $8, NULL)`,
      [
        id,
        newPayoutReference(),
        payer.userId,
        payer.recipientId,
        payer.accountId,
        account,
        String(randomInt(1, 100)),
        '9000000000000',
      ],
    );
    return rows[0]?.outcome === 'created';
  } catch {
    return false;
  }
}

export async function runPayoutsBench(): Promise<PayoutsBenchResult> {
  const adminUrl = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `payments_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  const port = await freePort();
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const paystack = await new FakePaystack({ appUrl: `http://127.0.0.1:${port}` }).start();
  paystack.resolveUnknownAccounts = true;
  paystack.autoSettleTransfers = { afterMs: SETTLE_MS, outcome: 'success', sendWebhook: true };

  const overrides: Record<string, string> = {
    DATABASE_URL: dbUrl.toString(),
    PORT: String(port),
    REDIS_KEY_PREFIX: prefix,
    PAYSTACK_SECRET_KEY: paystack.secretKey,
    PAYSTACK_BASE_URL: paystack.url,
    THROTTLE_LIMIT: '1000000000',
    THROTTLE_WEBHOOK_LIMIT: '1000000000',
    JWT_SECRET: process.env.JWT_SECRET ?? 'bench-jwt-secret-that-is-long-enough-0123456789',
    DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY ?? BENCH_DATA_KEY,
    JWT_ACCESS_TTL: '1h',
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PROCESS_ROLE: TOPOLOGY === 'all' ? 'all' : 'api',
    PAYOUT_MIN_AMOUNT: '1',
    PAYOUT_DAILY_LIMIT: '9000000000000',
    PAYOUT_APPROVAL_THRESHOLD: '9000000000000',
    PAYOUT_RECONCILE_INTERVAL: '1h',
  };
  const env = { ...process.env, NODE_ENV: 'production', ...overrides };
  const appConfig = new AppConfig(env);
  await migrate(appConfig);
  const saved = { ...process.env };
  Object.assign(process.env, env, { PROCESS_ROLE: 'api', DATABASE_POOL_SIZE: '4' });
  const setup = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  process.env = saved;

  let child: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const pool = new pg.Pool({ connectionString: dbUrl.toString(), max: POOL_SIZE });
  pool.on('error', () => undefined);
  const count = async (sql: string): Promise<number> =>
    Number((await pool.query<{ n: string }>(sql)).rows[0].n);
  try {
    const payers = await createPayers(setup);
    // The bare SQL's own payers: a hold reads its user's payouts of the day, and the HTTP runs
    // leave theirs ~30 each by the time the bare SQL runs.
    const barePayers = await createPayers(setup, USERS);
    const mainJs = fileURLToPath(new URL('../src/main.js', import.meta.url));
    child = spawn(process.execPath, [...startFlags(), ...APP_NODE_ARGS, mainJs], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (TOPOLOGY === 'split') {
      worker = spawn(process.execPath, [...startFlags(), ...APP_NODE_ARGS, mainJs], {
        env: { ...env, PROCESS_ROLE: 'worker' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    }
    await waitForHealth(port, child);

    const runs: Run[] = [];
    const sendsTransfers = TOPOLOGY !== 'api';
    const withdraw = async (): Promise<boolean> => {
      const payer = payers[randomInt(payers.length)];
      const res = await postJson(
        agent,
        port,
        '/api/v1/wallet/withdrawals',
        { authorization: payer.authorization },
        JSON.stringify({ amount: randomInt(1, 100), recipient_id: payer.recipientId }),
      );
      return res.status === 202;
    };
    /** Seconds from `since` until no payout is open, polled every 100 ms; null on timeout. */
    const untilFinal = async (since: number): Promise<number | null> => {
      const deadline = performance.now() + FINAL_TIMEOUT_S * 1000;
      while (performance.now() < deadline) {
        const open = await count(
          `SELECT count(*) AS n FROM payouts WHERE status IN ('pending', 'processing', 'requires_otp')`,
        );
        if (open === 0) return Math.round((performance.now() - since) / 100) / 10;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return null;
    };
    let httpAccepted = 0;

    // Warm-up: the same path, made final before anything is measured.
    const warm = await driveRun(WARMUP_SECONDS, withdraw);
    httpAccepted += warm.accepted;
    if (sendsTransfers && (await untilFinal(performance.now())) === null)
      throw new Error('warm-up: not every withdrawal became final');

    let backlogSeconds: number | null = null;
    let finalSeconds: number | null = null;
    if (!sendsTransfers) {
      const alone = await driveRun(SECONDS, withdraw);
      httpAccepted += alone.accepted;
      runs.push({ path: 'http, api alone', ...alone });
    } else {
      // Against the bare SQL on equal terms: the bare holds have no one sending their transfers,
      // so the payouts queue is paused (BullMQ's own pause: running workers take no new job)
      // while the withdrawals arrive, as the ingest bench does with its inbound queue; resumed
      // once the last is accepted, the backlog is sent and settled by the worker, already warm.
      const connection = new Redis(appConfig.redisUrl, { maxRetriesPerRequest: null });
      const payoutsQueue = new Queue(QueueName.Payouts, {
        connection,
        prefix: bullPrefix(appConfig),
      });
      try {
        await payoutsQueue.pause();
        const paused = await driveRun(SECONDS, withdraw);
        httpAccepted += paused.accepted;
        runs.push({ path: 'http, queue paused', ...paused });
        const resumed = performance.now();
        await payoutsQueue.resume();
        backlogSeconds = await untilFinal(resumed);
      } finally {
        await payoutsQueue.close();
        connection.disconnect();
      }
      // The same again with the worker sending and settling while the withdrawals arrive (on the
      // same two cores), as production would; the time runs from its first request.
      const started = performance.now();
      const meanwhile = await driveRun(SECONDS, withdraw);
      httpAccepted += meanwhile.accepted;
      runs.push({ path: 'http, worker sending meanwhile', ...meanwhile });
      finalSeconds = await untilFinal(started);
    }
    await stopChild(child);
    child = undefined;
    await stopChild(worker);
    worker = undefined;

    const inFlight = new Map<string, string>(
      (
        await pool.query<{ id: string; name: string }>(
          `SELECT id, name FROM ledger_accounts WHERE name LIKE 'payouts_in_flight:%'`,
        )
      ).rows.map((row) => [row.name, row.id]),
    );
    const bareRun = await driveRun(SECONDS, () =>
      bareHold(pool, barePayers[randomInt(barePayers.length)], inFlight),
    );
    runs.push({ path: 'bare sql', ...bareRun });

    const finalCounts = Object.fromEntries(
      (
        await pool.query<{ status: string; n: string }>(
          `SELECT status, count(*) AS n FROM payouts GROUP BY status ORDER BY status`,
        )
      ).rows.map((row) => [row.status, Number(row.n)]),
    );
    const report = await setup.get(LedgerCheckService).run();
    return {
      settings: {
        users: `${USERS} for the HTTP runs, ${USERS} others for the bare SQL`,
        concurrency: CONCURRENCY,
        'pool size': POOL_SIZE,
        'seconds per run': SECONDS,
        'fake transfer settles after ms': SETTLE_MS,
        'app process': `node ${[...startFlags(), ...APP_NODE_ARGS].join(' ')} dist/src/main.js, ${
          TOPOLOGY === 'split'
            ? 'PROCESS_ROLE=api + one PROCESS_ROLE=worker process sending the transfers meanwhile (as docker-compose deploys it)'
            : TOPOLOGY === 'all'
              ? 'PROCESS_ROLE=all (API and workers on one event loop)'
              : 'PROCESS_ROLE=api alone (no workers: nothing is sent)'
        }`,
      },
      overrides: Object.fromEntries(
        Object.entries(overrides).filter(
          ([key]) =>
            ![
              'DATABASE_URL',
              'JWT_SECRET',
              'DATA_ENCRYPTION_KEY',
              'REDIS_KEY_PREFIX',
              'PORT',
              'PAYSTACK_SECRET_KEY',
              'PAYSTACK_BASE_URL',
            ].includes(key),
        ),
      ),
      runs,
      httpAccepted,
      backlogSeconds,
      finalSeconds,
      finalCounts,
      transferCalls: paystack.transferCreationRequests(),
      transfersAtGateway: paystack.transfers.size,
      ledgerOk: report.ok,
      ledgerProblems: report.problems.length,
    };
  } finally {
    await stopChild(child);
    await stopChild(worker);
    agent.destroy();
    await pool.end();
    await setup.close();
    await paystack.stop();
    await dropBenchState(appConfig.redisUrl, prefix, adminUrl, name);
  }
}

export function formatPayoutsResult(result: PayoutsBenchResult): string {
  const lines = settingsLines(result.settings, result.overrides);
  lines.push(
    textTable(
      ['path', 'accepted', 'errors', 'seconds', 'accepted/s', 'p50 ms', 'p99 ms'],
      result.runs.map((run) => [
        run.path,
        String(run.accepted),
        String(run.errors),
        String(run.seconds),
        String(run.perSecond),
        String(run.p50),
        String(run.p99),
      ]),
    ),
  );
  for (const row of payoutsSummary(result))
    lines.push(
      `${row.metric}: ${row.value} ${row.target ? `(target ${row.target}: ${row.status})` : ''}`,
    );
  lines.push(`payouts by status at the end: ${JSON.stringify(result.finalCounts)}`);
  return lines.join('\n');
}

export function payoutsSummary(result: PayoutsBenchResult): SummaryRow[] {
  // Measured against the bare SQL: the run where nothing else works meanwhile.
  const httpRun = result.runs.find(
    (run) => run.path === 'http, queue paused' || run.path === 'http, api alone',
  );
  const meanwhile = result.runs.find((run) => run.path === 'http, worker sending meanwhile');
  const bare = result.runs.find((run) => run.path === 'bare sql');
  const rows: SummaryRow[] = [];
  const row = (metric: string, value: string, target = '', status = '') =>
    rows.push({ bench: 'payouts', metric, value, target, status });
  if (httpRun)
    row(
      `withdrawals accepted over HTTP/s, ${httpRun.path === 'http, api alone' ? 'api alone' : 'queue paused'} (p50 / p99 ms)`,
      `${httpRun.perSecond} (${httpRun.p50} / ${httpRun.p99})`,
      '>= 800',
      httpRun.perSecond >= 800 ? 'met' : 'MISSED',
    );
  if (bare) row('bare SQL holds/s', String(bare.perSecond));
  if (httpRun && bare) {
    const ratio = bare.perSecond > 0 ? httpRun.perSecond / bare.perSecond : 0;
    row('HTTP / bare SQL', ratio.toFixed(2), '>= 0.50', ratio >= 0.5 ? 'met' : 'MISSED');
  }
  if (httpRun && httpRun.path === 'http, queue paused')
    row(
      'queue resumed: seconds until that backlog is final (payouts/s)',
      result.backlogSeconds === null
        ? 'not all final'
        : `${result.backlogSeconds} (${Math.round(httpRun.accepted / Math.max(result.backlogSeconds, 0.1))})`,
    );
  if (meanwhile) {
    row(
      'worker sending meanwhile: withdrawals accepted/s (p50 / p99 ms)',
      `${meanwhile.perSecond} (${meanwhile.p50} / ${meanwhile.p99})`,
    );
    row(
      'worker sending meanwhile: seconds from its first request until every withdrawal is final',
      result.finalSeconds === null ? 'not all final' : String(result.finalSeconds),
    );
  }
  const once =
    result.transferCalls === result.httpAccepted &&
    result.transfersAtGateway === result.httpAccepted;
  row(
    'transfer calls / transfers at the gateway / accepted',
    `${result.transferCalls} / ${result.transfersAtGateway} / ${result.httpAccepted}`,
    'equal',
    once ? 'met' : 'MISSED',
  );
  rows.push(ledgerCheckRow('payouts', result.ledgerOk, result.ledgerProblems));
  return rows;
}

export const payoutsBench = {
  name: 'payouts',
  run: async (): Promise<{ text: string; summary: SummaryRow[] }> => {
    const result = await runPayoutsBench();
    return { text: formatPayoutsResult(result), summary: payoutsSummary(result) };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runPayoutsBench();
  console.log(formatPayoutsResult(result));
  process.exit(result.ledgerOk ? 0 : 1);
}
