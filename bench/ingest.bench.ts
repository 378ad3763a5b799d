import 'reflect-metadata';
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/migrate.js';
import { newPaymentReference } from '../src/modules/payments/payment-reference.js';
import { QueueName } from '../src/queue/queue-names.js';
import { bullPrefix } from '../src/queue/queue-producer.service.js';
import { UsersService } from '../src/modules/users/users.service.js';
import { LedgerCheckService } from '../src/modules/ledger/ledger-check.service.js';
import { FakePaystack } from '../test/fakes/fake-paystack.js';
import {
  BENCH_DATA_KEY,
  createBenchDatabase,
  dropBenchState,
  freePort,
  settingsLines,
  startFlags,
  stopChild,
  waitForHealth,
  textTable,
} from './bench-kit.js';
import type { SummaryRow } from './run.js';
import { type Drive, sendFromThread, type Webhook } from './webhook-sender.js';

const EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 10_000);
const WARMUP_EVENTS = Number(process.env.BENCH_INGEST_WARMUP ?? 1_000);
const WALLETS = Number(process.env.BENCH_INGEST_WALLETS ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 64);
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 20);
/** `split`: an api and a worker process (as docker-compose runs it); `all`: one PROCESS_ROLE=all process. */
const TOPOLOGY = (process.env.BENCH_INGEST_TOPOLOGY ?? 'split') === 'all' ? 'all' : 'split';
/** Extra node flags for the app process(es), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const APP_NODE_ARGS = (process.env.BENCH_APP_NODE_ARGS ?? '')
  .split(' ')
  .filter((arg) => arg.length > 0);
/** Worker processes in the split topology (docker-compose runs one). */
const WORKERS = Math.max(1, Number(process.env.BENCH_INGEST_WORKERS ?? 1));
const SETTLE_TIMEOUT_MS = 10 * 60 * 1000;
const DEPOSIT_AMOUNT_MIN = 10_000;

const TARGETS = { acceptedPerSecond: 2_000, p99Ms: 50, ratio: 0.6, settledPerSecond: 500 };

/** One run of webhooks through the app, and how long settling them took. */
export interface IngestRun {
  drive: Drive;
  /** From the last accepted webhook to the moment every payment was succeeded, credited and its event processed. */
  settleTailSeconds: number;
  settledPerSecond: number;
  /** From the first webhook sent to the last settlement (the whole pipeline). */
  endToEndSeconds: number;
  endToEndPerSecond: number;
  checks: {
    paymentsSucceeded: number;
    depositsCredited: number;
    eventsProcessed: number;
    creditedTotalOk: boolean;
  };
  loadAverage: string;
}

export interface IngestBenchResult {
  settings: Record<string, string | number>;
  overrides: Record<string, string>;
  baseline: Drive;
  /**
   * Intake as the baseline is measured, with nothing consuming what it stores: the app's queue is
   * paused while the webhooks arrive, then resumed at once for the backlog.
   */
  backlog: IngestRun;
  /** Webhooks arriving while the worker settles (both on the same two cores). */
  concurrent: IngestRun;
  ratio: number;
  ledgerOk: boolean;
  ledgerProblems: number;
}

function send(port: number, path: string, webhooks: Webhook[]): Promise<Drive> {
  return sendFromThread({ port, path, webhooks, concurrency: CONCURRENCY });
}

/** Starts the baseline server process and waits for its "listening" line. */
async function startBaseline(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; port: number; syncCommit: string }> {
  const script = fileURLToPath(new URL('./ingest-baseline.server.js', import.meta.url));
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const parsed = JSON.parse(line) as { listening: number; synchronous_commit: string };
    lines.close();
    return { child, port: parsed.listening, syncCommit: parsed.synchronous_commit };
  }
  throw new Error(`the baseline server exited with code ${child.exitCode}`);
}

/**
 * Payment references in the app's own format, `pending` wallet deposits as WalletDepositsService
 * leaves them after initializing at Paystack (authorization URL and access code stored), for
 * `wallets` users round-robin; and the same transactions at the fake Paystack, reported paid.
 */
async function createDeposits(
  pool: pg.Pool,
  fake: FakePaystack,
  userIds: string[],
  count: number,
): Promise<string[]> {
  const references = new Set<string>();
  const now = new Date();
  while (references.size < count) references.add(newPaymentReference(now));
  const refs = [...references];
  const users = refs.map((_, i) => userIds[i % userIds.length]);
  const amounts = refs.map((_, i) => DEPOSIT_AMOUNT_MIN + (i % 997) * 100);
  const accessCodes = refs.map(() => randomBytes(5).toString('hex'));
  for (let start = 0; start < count; start += 5_000) {
    const end = Math.min(count, start + 5_000);
    await pool.query(
      `INSERT INTO payments (reference, user_id, purpose, gateway, status, amount, currency, email,
                             authorization_url, access_code, expires_at)
       SELECT r, u, 'wallet_deposit', 'paystack', 'pending', a, 'NGN', 'bench-' || left(u::text, 8) || '@example.com',
              $5 || '/checkout/' || c, c, now() + interval '24 hours'
         FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::text[]) AS t(r, u, a, c)`,
      [
        refs.slice(start, end),
        users.slice(start, end),
        amounts.slice(start, end),
        accessCodes.slice(start, end),
        fake.url,
      ],
    );
  }
  refs.forEach((reference, i) => {
    fake.transactions.set(reference, {
      id: 4_100_000_000 + fake.transactions.size,
      reference,
      email: `bench-${users[i].slice(0, 8)}@example.com`,
      amount: amounts[i],
      currency: 'NGN',
      accessCode: accessCodes[i],
      metadata: { purpose: 'wallet_deposit', reference },
      status: 'success',
    });
  });
  return refs;
}

function signedEvents(fake: FakePaystack, references: string[]): Webhook[] {
  return references.map((reference) => {
    const body = Buffer.from(JSON.stringify(fake.chargeSuccessEvent(reference)));
    return { body, signature: fake.sign(body.toString('utf8')) };
  });
}

interface SettleCounts {
  payments: number;
  credited: number;
  processed: number;
}

async function settleCounts(pool: pg.Pool, references: string[]): Promise<SettleCounts> {
  const { rows } = await pool.query<SettleCounts>(
    `SELECT (SELECT count(*)::int FROM payments WHERE reference = ANY($1) AND status = 'succeeded') AS payments,
            (SELECT count(*)::int FROM ledger_transfers WHERE kind = 'deposit' AND reference = ANY($1)) AS credited,
            (SELECT count(*)::int FROM inbound_webhook_events WHERE reference = ANY($1) AND status = 'processed') AS processed`,
    [references],
  );
  return rows[0];
}

/**
 * Polls until every payment is succeeded, credited to its wallet and its event processed; returns
 * performance.now() then. The frequent poll is the cheap one (open events, through the partial
 * index the sweeper uses): the full count over every reference costs the database several
 * milliseconds, and asked every 20 ms it took a fifth of a core from the system being measured.
 * An event closes only after its settlement commits, so the full count is asked once none is open.
 */
async function waitSettled(
  pool: pg.Pool,
  references: string[],
): Promise<{ at: number; counts: SettleCounts }> {
  const started = performance.now();
  for (;;) {
    const { rows } = await pool.query<{ open: number }>(
      `SELECT count(*)::int AS open FROM inbound_webhook_events WHERE status IN ('received', 'processing')`,
    );
    const at = performance.now();
    if (rows[0].open === 0) {
      const counts = await settleCounts(pool, references);
      if (
        counts.payments >= references.length &&
        counts.credited >= references.length &&
        counts.processed >= references.length
      ) {
        return { at, counts };
      }
    }
    if (at - started > SETTLE_TIMEOUT_MS)
      return { at, counts: await settleCounts(pool, references) };
    await new Promise((resolve) => setTimeout(resolve, rows[0].open === 0 ? 200 : 100));
  }
}

/** Sends `webhooks` to the app and waits for all of them to settle; `afterSend` runs in between. */
async function runThroughApp(
  pool: pg.Pool,
  port: number,
  references: string[],
  webhooks: Webhook[],
  afterSend: () => Promise<void> = () => Promise.resolve(),
): Promise<IngestRun> {
  const drive = await send(port, '/api/v1/webhooks/paystack', webhooks);
  const loadAverage = execSync('uptime').toString().trim();
  await afterSend();
  const settled = await waitSettled(pool, references);
  const settleTailSeconds = Math.max(0.001, (settled.at - drive.lastAcceptedAt) / 1000);
  const endToEndSeconds = (settled.at - drive.firstSentAt) / 1000;
  const { rows: totals } = await pool.query<{ ok: boolean }>(
    `SELECT (SELECT coalesce(sum(e.amount), 0) FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id
              JOIN ledger_accounts a ON a.id = e.account_id
             WHERE t.kind = 'deposit' AND a.kind = 'user_wallet' AND t.reference = ANY($1))
          = (SELECT sum(amount) FROM payments WHERE reference = ANY($1)) AS ok`,
    [references],
  );
  const round = (n: number): number => Math.round(n * 100) / 100;
  return {
    drive,
    settleTailSeconds: round(settleTailSeconds),
    settledPerSecond: Math.round(references.length / settleTailSeconds),
    endToEndSeconds: round(endToEndSeconds),
    endToEndPerSecond: Math.round(references.length / endToEndSeconds),
    checks: {
      paymentsSucceeded: settled.counts.payments,
      depositsCredited: settled.counts.credited,
      eventsProcessed: settled.counts.processed,
      creditedTotalOk: totals[0].ok,
    },
    loadAverage,
  };
}

export async function runIngestBench(): Promise<IngestBenchResult> {
  const { adminUrl, name, url: databaseUrl } = await createBenchDatabase();
  const port = await freePort();
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const fake = await new FakePaystack().start();

  // Everything the benchmark sets differently from a default `npm start`, printed with the results.
  const overrides: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: process.env.JWT_SECRET ?? 'bench-jwt-secret-that-is-long-enough-0123456789',
    DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY ?? BENCH_DATA_KEY,
    PAYSTACK_SECRET_KEY: fake.secretKey,
    PAYSTACK_BASE_URL: fake.url,
    THROTTLE_WEBHOOK_LIMIT: '1000000000',
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    // The production default: every request and settlement is logged, as in a real deployment.
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  for (const [key, value] of Object.entries(process.env)) {
    // Anything else the caller passes through as BENCH_APP_ENV_<NAME> reaches the app (and is printed).
    if (key.startsWith('BENCH_APP_ENV_') && value !== undefined)
      overrides[key.slice('BENCH_APP_ENV_'.length)] = value;
  }
  const env = { ...process.env, NODE_ENV: 'production', ...overrides };
  const config = new AppConfig(env);
  await migrate(config);

  const children: ChildProcess[] = [];
  const queues: Queue[] = [];
  const redisClients: Redis[] = [];
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // An idle connection ended by the database (the DROP at the end) must not crash the run.
  pool.on('error', () => undefined);
  try {
    // Users with wallets through the app's own services (the user-created hook opens each wallet).
    const saved = { ...process.env };
    Object.assign(process.env, env, { PROCESS_ROLE: 'api', DATABASE_POOL_SIZE: '4' });
    const setup = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
    process.env = saved;
    const userIds: string[] = [];
    const users = setup.get(UsersService);
    for (let i = 0; i < WALLETS; i++) {
      userIds.push(
        (
          await users.findOrCreateByEmail(
            `bench-ingest-${i}-${randomBytes(3).toString('hex')}@example.com`,
          )
        ).id,
      );
    }
    const warmRefs = await createDeposits(pool, fake, userIds, WARMUP_EVENTS);
    const refs = await createDeposits(pool, fake, userIds, EVENTS);
    const concurrentRefs = await createDeposits(pool, fake, userIds, EVENTS);
    const warmEvents = signedEvents(fake, warmRefs);
    const events = signedEvents(fake, refs);
    const concurrentEvents = signedEvents(fake, concurrentRefs);

    // The baseline first, while nothing else runs.
    await pool.query(`CREATE TABLE bench_baseline_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, gateway text NOT NULL, event_id text NOT NULL,
      payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), UNIQUE (gateway, event_id))`);
    const baselineServer = await startBaseline({
      ...process.env,
      BASELINE_DATABASE_URL: databaseUrl,
      BASELINE_POOL_SIZE: String(POOL_SIZE),
      BASELINE_REDIS_URL: config.redisUrl,
      BASELINE_REDIS_KEY: `${prefix}:baseline`,
      BASELINE_SECRET: fake.secretKey,
    });
    children.push(baselineServer.child);
    await send(baselineServer.port, '/webhooks/paystack', warmEvents);
    const baseline = await send(baselineServer.port, '/webhooks/paystack', events);
    await stopChild(baselineServer.child);

    const mainJs = fileURLToPath(new URL('../src/main.js', import.meta.url));
    const startApp = (role: string): ChildProcess => {
      const child = spawn(process.execPath, [...startFlags(), ...APP_NODE_ARGS, mainJs], {
        env: { ...env, PROCESS_ROLE: role },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      return child;
    };
    const api = startApp(TOPOLOGY === 'all' ? 'all' : 'api');
    if (TOPOLOGY === 'split') for (let i = 0; i < WORKERS; i++) startApp('worker');
    await waitForHealth(port, api);

    // Warm-up: the same path with other deposits, settled before anything is measured.
    const warm = await send(port, '/api/v1/webhooks/paystack', warmEvents);
    if (warm.accepted !== warmEvents.length)
      throw new Error(`warm-up: only ${warm.accepted} of ${warmEvents.length} accepted`);
    await waitSettled(pool, warmRefs);

    // Intake against the baseline, on equal terms: the baseline's pushes have no consumer, so
    // the app's queue is paused (BullMQ's own pause: running workers take no new job) while the
    // webhooks arrive; resumed once the last is accepted, the backlog is settled by the worker,
    // already running and warm.
    const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    redisClients.push(connection);
    const inbound = new Queue(QueueName.InboundWebhooks, {
      connection,
      prefix: bullPrefix(config),
    });
    queues.push(inbound);
    await inbound.pause();
    const backlog = await runThroughApp(pool, port, refs, events, () => inbound.resume());
    // The same again with the worker settling while the webhooks arrive.
    const concurrent = await runThroughApp(pool, port, concurrentRefs, concurrentEvents);

    const ledger = await setup.get(LedgerCheckService).run();
    await setup.close();
    const { rows: sync } = await pool.query<{ synchronous_commit: string }>(
      'SHOW synchronous_commit',
    );
    return {
      settings: {
        events: EVENTS,
        'warm-up events (settled before the run)': WARMUP_EVENTS,
        wallets: WALLETS,
        concurrency: `${CONCURRENCY} keep-alive connections`,
        'load generator':
          'node:http on a thread of its own (the fake Paystack runs on the main thread)',
        'pool size (app per process, baseline)': POOL_SIZE,
        'synchronous_commit (app, baseline)': `${sync[0].synchronous_commit}, ${baselineServer.syncCommit}`,
        'app processes':
          TOPOLOGY === 'all'
            ? 'one, PROCESS_ROLE=all'
            : `PROCESS_ROLE=api + ${WORKERS} x PROCESS_ROLE=worker`,
        'worker niceness (WORKER_NICE)': config.workerNice,
        'app node flags': [...startFlags(), ...APP_NODE_ARGS].join(' '),
        cpus: (await import('node:os')).cpus().length,
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
      baseline,
      backlog,
      concurrent,
      ratio: baseline.perSecond > 0 ? backlog.drive.perSecond / baseline.perSecond : 0,
      ledgerOk: ledger.ok,
      ledgerProblems: ledger.problems.length,
    };
  } finally {
    for (const queue of queues) await queue.close();
    for (const client of redisClients) client.disconnect();
    for (const child of children) await stopChild(child);
    await pool.end();
    await fake.stop();
    await dropBenchState(config.redisUrl, prefix, adminUrl, name);
  }
}

const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');

export function ingestSummary(r: IngestBenchResult): SummaryRow[] {
  const row = (metric: string, value: string, target = '', status = ''): SummaryRow => ({
    bench: 'ingest',
    metric,
    value,
    target,
    status,
  });
  const intake = r.backlog.drive;
  const live = r.concurrent.drive;
  return [
    row(
      'intake accepted/s (queue paused, as the baseline)',
      String(intake.perSecond),
      `>= ${TARGETS.acceptedPerSecond}`,
      met(intake.perSecond >= TARGETS.acceptedPerSecond),
    ),
    row(
      'intake p50 / p99 ms',
      `${intake.p50} / ${intake.p99}`,
      `p99 <= ${TARGETS.p99Ms}`,
      met(intake.p99 <= TARGETS.p99Ms),
    ),
    row('accepted/s bare baseline', String(r.baseline.perSecond)),
    row(
      'intake / baseline',
      r.ratio.toFixed(2),
      `>= ${TARGETS.ratio}`,
      met(r.ratio >= TARGETS.ratio),
    ),
    row(
      'backlog settled/s (count / last accepted → last settled)',
      `${r.backlog.settledPerSecond} (${r.backlog.settleTailSeconds} s)`,
      `>= ${TARGETS.settledPerSecond}`,
      met(r.backlog.settledPerSecond >= TARGETS.settledPerSecond),
    ),
    row(
      'worker settling meanwhile: accepted/s',
      String(live.perSecond),
      `>= ${TARGETS.acceptedPerSecond}`,
      met(live.perSecond >= TARGETS.acceptedPerSecond),
    ),
    row(
      'worker settling meanwhile: p50 / p99 ms',
      `${live.p50} / ${live.p99}`,
      `p99 <= ${TARGETS.p99Ms}`,
      met(live.p99 <= TARGETS.p99Ms),
    ),
    row(
      'worker settling meanwhile: settled/s after the last accepted',
      `${r.concurrent.settledPerSecond} (${r.concurrent.settleTailSeconds} s)`,
      `>= ${TARGETS.settledPerSecond}`,
      met(r.concurrent.settledPerSecond >= TARGETS.settledPerSecond),
    ),
    row(
      'worker settling meanwhile: end to end settled/s',
      `${r.concurrent.endToEndPerSecond} (${r.concurrent.endToEndSeconds} s)`,
    ),
  ];
}

export function formatIngestResult(r: IngestBenchResult): string {
  const lines = settingsLines(r.settings, r.overrides);
  const header = [
    'run',
    'sent',
    'accepted',
    'rejected',
    'seconds',
    'accepted/s',
    'p50 ms',
    'p99 ms',
    'max ms',
  ];
  const rows = (
    [
      ['bare baseline', r.baseline],
      ['app, queue paused', r.backlog.drive],
      ['app, worker settling', r.concurrent.drive],
    ] as const
  ).map(([run, d]) =>
    [run, d.sent, d.accepted, d.rejected, d.seconds, d.perSecond, d.p50, d.p99, d.max].map(String),
  );
  lines.push(textTable(header, rows));
  lines.push(`app (queue paused) / baseline = ${r.ratio.toFixed(2)}`);
  for (const [label, run] of [
    ['backlog (queue resumed at the last accepted)', r.backlog],
    ['worker settling while webhooks arrive', r.concurrent],
  ] as const) {
    const c = run.checks;
    lines.push(
      `${label}: last accepted → all settled ${run.settleTailSeconds} s → ${run.settledPerSecond}/s; ` +
        `first sent → all settled ${run.endToEndSeconds} s → ${run.endToEndPerSecond}/s; ` +
        `${c.paymentsSucceeded} payments succeeded, ${c.depositsCredited} deposits credited, ${c.eventsProcessed} events processed, ` +
        `credited total ${c.creditedTotalOk ? 'matches' : 'DOES NOT match'} the payments; load while sending: ${run.loadAverage}`,
    );
  }
  lines.push(
    `ledger check after the runs: ${r.ledgerOk ? 'clean' : `${r.ledgerProblems} problem(s)`}`,
  );
  return lines.join('\n');
}

function failures(r: IngestBenchResult): string[] {
  const problems: string[] = [];
  for (const [label, run] of [
    ['queue paused', r.backlog],
    ['worker settling', r.concurrent],
  ] as const) {
    if (run.drive.rejected > 0)
      problems.push(`${label}: ${run.drive.rejected} webhooks were not accepted by the app`);
    const c = run.checks;
    if (c.paymentsSucceeded < EVENTS || c.depositsCredited < EVENTS || c.eventsProcessed < EVENTS)
      problems.push(`${label}: not everything settled`);
    if (!c.creditedTotalOk) problems.push(`${label}: the credits do not add up`);
  }
  if (!r.ledgerOk) problems.push('the ledger check found problems');
  return problems;
}

export const ingestBench = {
  name: 'ingest',
  run: async (): Promise<{ text: string; summary: SummaryRow[] }> => {
    const result = await runIngestBench();
    const text = formatIngestResult(result);
    const problems = failures(result);
    if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${text}`);
    return { text, summary: ingestSummary(result) };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runIngestBench();
  console.log(formatIngestResult(result));
  process.exit(failures(result).length > 0 ? 1 : 0);
}
