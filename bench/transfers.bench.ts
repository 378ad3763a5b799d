import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/migrate.js';
import { TokensService } from '../src/modules/auth/jwt/tokens.service.js';
import { UsersService } from '../src/modules/users/users.service.js';
import { LedgerCheckService } from '../src/modules/ledger/ledger-check.service.js';
import { newTransferReference, WalletService } from '../src/modules/wallet/wallet.service.js';
import { newEventId } from '../src/modules/outbound-webhooks/outbox.service.js';
import {
  BENCH_DATA_KEY,
  createBenchDatabase,
  dropBenchState,
  drive,
  ledgerCheckRow,
  freePort,
  settingsLines,
  startFlags,
  stopChild,
  waitForHealth,
  textTable,
} from './bench-kit.js';
import { postJson } from './http-post.js';
import type { SummaryRow } from './run.js';

const WALLETS = Number(process.env.BENCH_WALLETS ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 20);
/**
 * HTTP processes of the app (HTTP_PROCESSES, node:cluster); the pool is split between them so the
 * app holds POOL_SIZE connections in all, like bare SQL. 1 by default: on this 2-core machine a
 * second process cost transfers more than it gave (720/s with 1, 508/s with 2, 368/s with 3), as
 * each process batches on its own and the database shares the same cores.
 */
const HTTP_PROCESSES = Number(process.env.BENCH_HTTP_PROCESSES ?? 1);
const OPENING_BALANCE = 1_000_000_000;
/** Extra node flags for the app process, e.g. `--cpu-prof` to profile it. */
const APP_NODE_ARGS = (process.env.BENCH_APP_NODE_ARGS ?? '')
  .split(' ')
  .filter((arg) => arg.length > 0);
/** `uniform`, `hot` or both (default); `http`, `sql` or both (default). */
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'uniform,hot').split(',');
const PATHS = (process.env.BENCH_PATHS ?? 'http,sql').split(',');

interface Wallet {
  userId: string;
  accountId: string;
  walletNumber: string;
  authorization: string;
}

interface Measurement {
  scenario: string;
  path: 'http' | 'bare sql';
  transfers: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export interface TransfersBenchResult {
  settings: Record<string, string | number>;
  overrides: Record<string, string>;
  measurements: Measurement[];
  ledgerOk: boolean;
  ledgerProblems: number;
}

async function measure(
  scenario: string,
  path: Measurement['path'],
  task: (worker: number) => Promise<boolean>,
): Promise<Measurement> {
  await drive(WARMUP_SECONDS, CONCURRENCY, task);
  const run = await drive(SECONDS, CONCURRENCY, task);
  const ok = run.count - run.errors;
  return {
    scenario,
    path,
    transfers: ok,
    errors: run.errors,
    seconds: Math.round(run.elapsed * 100) / 100,
    perSecond: Math.round(ok / run.elapsed),
    p50: Math.round(run.p50 * 100) / 100,
    p99: Math.round(run.p99 * 100) / 100,
  };
}

/** Users with wallets, made through the app's own services (the user-created hook opens each wallet). */
async function createWallets(app: INestApplicationContext): Promise<Wallet[]> {
  const users = app.get(UsersService);
  const tokens = app.get(TokensService);
  const walletService = app.get(WalletService);
  const dataSource = app.get(DataSource);
  const wallets: Wallet[] = [];
  for (let i = 0; i < WALLETS; i++) {
    const user = await users.findOrCreateByEmail(
      `bench-${i}-${randomBytes(3).toString('hex')}@example.com`,
    );
    const session = await tokens.issueSession(user);
    wallets.push({
      userId: user.id,
      accountId: '',
      walletNumber: '',
      authorization: `Bearer ${session.accessToken}`,
    });
  }
  const rows: { id: string; user_id: string; wallet_number: string }[] = await dataSource.query(
    `SELECT id, user_id, wallet_number FROM ledger_accounts WHERE kind = 'user_wallet'`,
  );
  const byUser = new Map(rows.map((row) => [row.user_id, row]));
  for (const wallet of wallets) {
    const row = byUser.get(wallet.userId);
    if (!row) throw new Error(`user ${wallet.userId} has no wallet`);
    wallet.accountId = row.id;
    wallet.walletNumber = row.wallet_number;
  }
  // Funded the way money really arrives: a settled deposit payment credited by the wallet's
  // settlement hook (so the ledger check's deposit cross-check holds afterwards).
  await dataSource.transaction(async (manager) => {
    for (const [i, wallet] of wallets.entries()) {
      const reference = `PAY-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${String(i).padStart(8, '0')}`;
      const [payment]: { id: string }[] = await manager.query(
        `INSERT INTO payments (reference, user_id, purpose, gateway, status, amount, currency, amount_received,
                               email, expires_at, settled_at)
         VALUES ($1, $2, 'wallet_deposit', 'paystack', 'succeeded', $3, 'NGN', $3, 'bench@example.com',
                 now() + interval '1 day', now())
         RETURNING id`,
        [reference, wallet.userId, OPENING_BALANCE],
      );
      await walletService.creditDeposit(manager, {
        paymentId: payment.id,
        paymentReference: reference,
        userId: wallet.userId,
        gateway: 'paystack',
        currency: 'NGN',
        amount: OPENING_BALANCE,
      });
    }
  });
  return wallets;
}

function pickPair(wallets: Wallet[], hotSender: boolean): [Wallet, Wallet] {
  const from = hotSender ? 0 : randomInt(wallets.length);
  let to = randomInt(wallets.length - 1);
  if (to >= from) to++;
  return [wallets[from], wallets[to]];
}

/**
 * The service's own transaction, issued straight through `pg`: the one `wallet_transfer` statement
 * (ledger_post plus the recipient's outbox row) the HTTP path runs once auth and validation are
 * done. The service caches the immutable wallet-number → account mapping, so it does no lookup.
 */
async function bareTransfer(
  pool: pg.Pool,
  from: Wallet,
  to: Wallet,
  amount: number,
): Promise<boolean> {
  try {
    const { rows } = await pool.query<{ outcome: string }>(
      `SELECT * FROM wallet_transfer($1, $2, $3, $4, $5, $6)`,
      [from.accountId, to.accountId, String(amount), newTransferReference(), null, newEventId()],
    );
    return rows[0]?.outcome === 'created';
  } catch {
    return false;
  }
}

export async function runTransfersBench(): Promise<TransfersBenchResult> {
  const { adminUrl, name, url: databaseUrl } = await createBenchDatabase();
  const port = await freePort();
  const prefix = `bench${randomBytes(4).toString('hex')}`;

  // Everything the benchmark sets differently from a default `npm start`, printed with the results.
  const overrides: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    REDIS_KEY_PREFIX: prefix,
    THROTTLE_LIMIT: '1000000000',
    JWT_SECRET: process.env.JWT_SECRET ?? 'bench-jwt-secret-that-is-long-enough-0123456789',
    DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY ?? BENCH_DATA_KEY,
    JWT_ACCESS_TTL: '1h',
    DATABASE_POOL_SIZE: String(Math.ceil(POOL_SIZE / HTTP_PROCESSES)),
    HTTP_PROCESSES: String(HTTP_PROCESSES),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PROCESS_ROLE: process.env.BENCH_PROCESS_ROLE ?? 'api',
  };
  const env = { ...process.env, NODE_ENV: 'production', ...overrides };

  await migrate(new AppConfig(env));
  const saved = { ...process.env };
  // The setup context in this process serves no HTTP and runs no workers, and needs few connections.
  Object.assign(process.env, env, { PROCESS_ROLE: 'api', DATABASE_POOL_SIZE: '4' });
  const setup = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  process.env = saved;

  let child: ChildProcess | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  // An idle connection ended by the database (the DROP at the end) must not crash the run.
  pool.on('error', () => undefined);
  try {
    const wallets = await createWallets(setup);

    const mainJs = fileURLToPath(new URL('../src/main.js', import.meta.url));
    child = spawn(process.execPath, [...startFlags(), ...APP_NODE_ARGS, mainJs], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForHealth(port, child);

    const [{ synchronous_commit: syncCommit }] = (
      await pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit')
    ).rows;
    const measurements: Measurement[] = [];
    for (const hot of [false, true]) {
      if (!SCENARIOS.includes(hot ? 'hot' : 'uniform')) continue;
      const scenario = hot ? 'hot sender' : 'uniform';
      if (PATHS.includes('http'))
        measurements.push(
          await measure(scenario, 'http', async () => {
            const [from, to] = pickPair(wallets, hot);
            const res = await postJson(
              agent,
              port,
              '/api/v1/wallet/transfer',
              { authorization: from.authorization },
              JSON.stringify({ wallet_number: to.walletNumber, amount: randomInt(1, 100) }),
            );
            return res.status === 201;
          }),
        );
      if (PATHS.includes('sql'))
        measurements.push(
          await measure(scenario, 'bare sql', async () => {
            const [from, to] = pickPair(wallets, hot);
            return bareTransfer(pool, from, to, randomInt(1, 100));
          }),
        );
    }

    const report = await setup.get(LedgerCheckService).run();
    return {
      settings: {
        wallets: WALLETS,
        concurrency: CONCURRENCY,
        'pool size (app in all, bare)': `${Math.ceil(POOL_SIZE / HTTP_PROCESSES) * HTTP_PROCESSES}, ${POOL_SIZE}`,
        'app HTTP processes': HTTP_PROCESSES,
        synchronous_commit: syncCommit,
        'seconds per run (after warm-up)': SECONDS,
        'warm-up seconds': WARMUP_SECONDS,
        'http client': 'node:http keep-alive agent',
        'app process': `node ${startFlags().join(' ')} dist/src/main.js (as npm start; separate process)`,
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
            ].includes(key),
        ),
      ),
      measurements,
      ledgerOk: report.ok,
      ledgerProblems: report.problems.length,
    };
  } finally {
    await stopChild(child);
    agent.destroy();
    await pool.end();
    await setup.close();
    await dropBenchState(new AppConfig(env).redisUrl, prefix, adminUrl, name);
  }
}

export function formatTransfersResult(result: TransfersBenchResult): string {
  const lines = settingsLines(result.settings, result.overrides);
  const header = [
    'scenario',
    'path',
    'transfers',
    'errors',
    'seconds',
    'transfers/s',
    'p50 ms',
    'p99 ms',
  ];
  const rows = result.measurements.map((m) => [
    m.scenario,
    m.path,
    String(m.transfers),
    String(m.errors),
    String(m.seconds),
    String(m.perSecond),
    String(m.p50),
    String(m.p99),
  ]);
  lines.push(textTable(header, rows));
  for (const scenario of ['uniform', 'hot sender']) {
    const httpRun = result.measurements.find((m) => m.scenario === scenario && m.path === 'http');
    const bare = result.measurements.find((m) => m.scenario === scenario && m.path === 'bare sql');
    if (!httpRun || !bare) continue;
    const target = scenario === 'uniform' ? 1000 : 400;
    const ratio = bare.perSecond > 0 ? httpRun.perSecond / bare.perSecond : 0;
    lines.push(
      `${scenario}: http/bare = ${ratio.toFixed(2)} (target >= 0.50: ${ratio >= 0.5 ? 'met' : 'MISSED'}); ` +
        `http ${httpRun.perSecond}/s (target >= ${target}/s: ${httpRun.perSecond >= target ? 'met' : 'MISSED'})`,
    );
  }
  lines.push(
    `ledger check after the runs: ${result.ledgerOk ? 'clean' : `${result.ledgerProblems} problem(s)`}`,
  );
  return lines.join('\n');
}

/** Rows for the combined table `npm run bench` prints. */
export function transfersSummary(result: TransfersBenchResult): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const scenario of ['uniform', 'hot sender']) {
    const httpRun = result.measurements.find((m) => m.scenario === scenario && m.path === 'http');
    const bare = result.measurements.find((m) => m.scenario === scenario && m.path === 'bare sql');
    const target = scenario === 'uniform' ? 1000 : 400;
    if (httpRun) {
      rows.push({
        bench: 'transfers',
        metric: `${scenario}: http transfers/s (p50 / p99 ms)`,
        value: `${httpRun.perSecond} (${httpRun.p50} / ${httpRun.p99})`,
        target: `>= ${target}`,
        status: httpRun.perSecond >= target ? 'met' : 'MISSED',
      });
    }
    if (bare)
      rows.push({
        bench: 'transfers',
        metric: `${scenario}: bare sql transfers/s`,
        value: String(bare.perSecond),
        target: '',
        status: '',
      });
    if (httpRun && bare) {
      const ratio = bare.perSecond > 0 ? httpRun.perSecond / bare.perSecond : 0;
      rows.push({
        bench: 'transfers',
        metric: `${scenario}: http / bare`,
        value: ratio.toFixed(2),
        target: '>= 0.50',
        status: ratio >= 0.5 ? 'met' : 'MISSED',
      });
    }
  }
  rows.push(ledgerCheckRow('transfers', result.ledgerOk, result.ledgerProblems));
  return rows;
}

export const transfersBench = {
  name: 'transfers',
  run: async (): Promise<{ text: string; summary: SummaryRow[] }> => {
    const result = await runTransfersBench();
    return { text: formatTransfersResult(result), summary: transfersSummary(result) };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runTransfersBench();
  console.log(formatTransfersResult(result));
  process.exit(result.ledgerOk ? 0 : 1);
}
