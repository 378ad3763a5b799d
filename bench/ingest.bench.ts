import 'reflect-metadata';
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/migrate.js';
import { newPaymentReference } from '../src/modules/payments/payment-reference.js';
import { UsersService } from '../src/modules/users/users.service.js';
import { LedgerCheckService } from '../src/modules/wallet/ledger-check.service.js';
import { FakePaystack } from '../test/fakes/fake-paystack.js';
import {
  dropBenchState,
  freePort,
  settingsLines,
  startFlags,
  stopChild,
  textTable,
  waitForHealth,
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
/**
 * `concurrent` (default): the worker settles while webhooks arrive, as in production. `backlog`
 * (split topology only): the worker is started only once every webhook is accepted, so intake and
 * settlement are measured (and profiled) apart; the settle time then includes the worker's boot.
 */
const SETTLE_MODE =
  (process.env.BENCH_INGEST_SETTLE ?? 'concurrent') === 'backlog' && TOPOLOGY === 'split'
    ? 'backlog'
    : 'concurrent';
/** Worker processes in the split topology (docker-compose runs one). */
const WORKERS = Math.max(1, Number(process.env.BENCH_INGEST_WORKERS ?? 1));
const SETTLE_TIMEOUT_MS = 10 * 60 * 1000;
const DEPOSIT_AMOUNT_MIN = 10_000;

const TARGETS = { acceptedPerSecond: 2_000, p99Ms: 50, ratio: 0.6, settledPerSecond: 500 };

export interface IngestBenchResult {
  settings: Record<string, string | number>;
  overrides: Record<string, string>;
  app: Drive;
  baseline: Drive;
  ratio: number;
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
    ledgerOk: boolean;
    ledgerProblems: number;
  };
  loadAverage: string;
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

export async function runIngestBench(): Promise<IngestBenchResult> {
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
  const fake = await new FakePaystack().start();

  // Everything the benchmark sets differently from a default `npm start`, printed with the results.
  const overrides: Record<string, string> = {
    DATABASE_URL: dbUrl.toString(),
    PORT: String(port),
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: process.env.JWT_SECRET ?? 'bench-jwt-secret-that-is-long-enough-0123456789',
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
  const pool = new pg.Pool({ connectionString: dbUrl.toString(), max: 4 });
  let loadAverage = '';
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
    const warmEvents = signedEvents(fake, warmRefs);
    const events = signedEvents(fake, refs);

    // The baseline first, while nothing else runs.
    await pool.query(`CREATE TABLE bench_baseline_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, gateway text NOT NULL, event_id text NOT NULL,
      payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), UNIQUE (gateway, event_id))`);
    const baselineServer = await startBaseline({
      ...process.env,
      BASELINE_DATABASE_URL: dbUrl.toString(),
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
    const startWorkers = (): ChildProcess[] =>
      TOPOLOGY === 'all' ? [] : Array.from({ length: WORKERS }, () => startApp('worker'));
    const warmWorkers = startWorkers();
    await waitForHealth(port, api);

    // Warm-up: the same path with other deposits, settled before the measured run starts.
    const warm = await send(port, '/api/v1/webhooks/paystack', warmEvents);
    if (warm.accepted !== warmEvents.length)
      throw new Error(`warm-up: only ${warm.accepted} of ${warmEvents.length} accepted`);
    await waitSettled(pool, warmRefs);
    if (SETTLE_MODE === 'backlog') for (const worker of warmWorkers) await stopChild(worker);

    const app = await send(port, '/api/v1/webhooks/paystack', events);
    loadAverage = execSync('uptime').toString().trim();
    let settleFrom = app.lastAcceptedAt;
    if (SETTLE_MODE === 'backlog') {
      settleFrom = performance.now();
      startWorkers();
    }
    const settled = await waitSettled(pool, refs);
    const settleTailSeconds = Math.max(0.001, (settled.at - settleFrom) / 1000);
    const endToEndSeconds = (settled.at - app.firstSentAt) / 1000;

    const { rows: totals } = await pool.query<{ ok: boolean }>(
      `SELECT (SELECT coalesce(sum(e.amount), 0) FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id
                JOIN ledger_accounts a ON a.id = e.account_id
               WHERE t.kind = 'deposit' AND a.kind = 'user_wallet' AND t.reference = ANY($1))
            = (SELECT sum(amount) FROM payments WHERE reference = ANY($1)) AS ok`,
      [refs],
    );
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
        settlement:
          SETTLE_MODE === 'backlog'
            ? 'backlog (worker started after the last webhook; boot included)'
            : 'concurrent with intake',
        'app node flags': [...startFlags(), ...APP_NODE_ARGS].join(' '),
        cpus: (await import('node:os')).cpus().length,
      },
      overrides: Object.fromEntries(
        Object.entries(overrides).filter(
          ([key]) =>
            ![
              'DATABASE_URL',
              'JWT_SECRET',
              'REDIS_KEY_PREFIX',
              'PORT',
              'PAYSTACK_SECRET_KEY',
              'PAYSTACK_BASE_URL',
            ].includes(key),
        ),
      ),
      app,
      baseline,
      ratio: baseline.perSecond > 0 ? app.perSecond / baseline.perSecond : 0,
      settleTailSeconds: Math.round(settleTailSeconds * 100) / 100,
      settledPerSecond: Math.round(EVENTS / settleTailSeconds),
      endToEndSeconds: Math.round(endToEndSeconds * 100) / 100,
      endToEndPerSecond: Math.round(EVENTS / endToEndSeconds),
      checks: {
        paymentsSucceeded: settled.counts.payments,
        depositsCredited: settled.counts.credited,
        eventsProcessed: settled.counts.processed,
        creditedTotalOk: totals[0].ok,
        ledgerOk: ledger.ok,
        ledgerProblems: ledger.problems.length,
      },
      loadAverage,
    };
  } finally {
    for (const child of children) await stopChild(child);
    await pool.end();
    await fake.stop();
    await dropBenchState(config.redisUrl, prefix, adminUrl, name);
  }
}

const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');

export function ingestSummary(r: IngestBenchResult): SummaryRow[] {
  return [
    {
      bench: 'ingest',
      metric: 'accepted webhooks/s (app)',
      value: String(r.app.perSecond),
      target: `>= ${TARGETS.acceptedPerSecond}`,
      status: met(r.app.perSecond >= TARGETS.acceptedPerSecond),
    },
    {
      bench: 'ingest',
      metric: 'p50 / p99 latency ms (app)',
      value: `${r.app.p50} / ${r.app.p99}`,
      target: `p99 <= ${TARGETS.p99Ms}`,
      status: met(r.app.p99 <= TARGETS.p99Ms),
    },
    {
      bench: 'ingest',
      metric: 'accepted/s bare baseline',
      value: String(r.baseline.perSecond),
      target: '',
      status: '',
    },
    {
      bench: 'ingest',
      metric: 'app / baseline',
      value: r.ratio.toFixed(2),
      target: `>= ${TARGETS.ratio}`,
      status: met(r.ratio >= TARGETS.ratio),
    },
    {
      bench: 'ingest',
      metric: 'settled/s (count / last accepted → last settled)',
      value: `${r.settledPerSecond} (${r.settleTailSeconds} s)`,
      target: `>= ${TARGETS.settledPerSecond}`,
      status: met(r.settledPerSecond >= TARGETS.settledPerSecond),
    },
    {
      bench: 'ingest',
      metric: 'end to end settled/s (first sent → last settled)',
      value: `${r.endToEndPerSecond} (${r.endToEndSeconds} s)`,
      target: '',
      status: '',
    },
  ];
}

export function formatIngestResult(r: IngestBenchResult): string {
  const lines = settingsLines(r.settings, r.overrides);
  const header = [
    'side',
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
      ['app', r.app],
      ['bare baseline', r.baseline],
    ] as const
  ).map(([side, d]) =>
    [side, d.sent, d.accepted, d.rejected, d.seconds, d.perSecond, d.p50, d.p99, d.max].map(String),
  );
  lines.push(textTable(header, rows));
  lines.push(`app/baseline = ${r.ratio.toFixed(2)}`);
  lines.push(
    `settlement: last accepted → all settled ${r.settleTailSeconds} s → ${r.settledPerSecond}/s; ` +
      `first sent → all settled ${r.endToEndSeconds} s → ${r.endToEndPerSecond}/s`,
  );
  const c = r.checks;
  lines.push(
    `checks: ${c.paymentsSucceeded} payments succeeded, ${c.depositsCredited} deposits credited, ${c.eventsProcessed} events processed; ` +
      `credited total ${c.creditedTotalOk ? 'matches' : 'DOES NOT match'} the payments; ledger check ${c.ledgerOk ? 'clean' : `${c.ledgerProblems} problem(s)`}`,
  );
  lines.push(`load while sending: ${r.loadAverage}`);
  return lines.join('\n');
}

function failures(r: IngestBenchResult): string[] {
  const problems: string[] = [];
  if (r.app.rejected > 0) problems.push(`${r.app.rejected} webhooks were not accepted by the app`);
  if (
    r.checks.paymentsSucceeded < EVENTS ||
    r.checks.depositsCredited < EVENTS ||
    r.checks.eventsProcessed < EVENTS
  )
    problems.push('not everything settled');
  if (!r.checks.creditedTotalOk || !r.checks.ledgerOk) problems.push('the ledger does not add up');
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
