import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { SummaryRow } from './run.js';

/** Helpers every benchmark shares: ports, app processes, cleanup, and plain-text tables. */

/** The data key the benchmarks' throwaway databases are sealed with (NODE_ENV=production needs one). */
export const BENCH_DATA_KEY = Buffer.alloc(32, 7).toString('base64');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the app exited with code ${child.exitCode} while starting`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the app did not become healthy within 60 s');
}

export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * A new, empty database for one bench run on the server of BENCH_PG_ADMIN_URL (default: the local
 * postgres); `dropBenchState(…, adminUrl, name)` drops it again.
 */
export async function createBenchDatabase(): Promise<{
  adminUrl: string;
  name: string;
  url: string;
}> {
  const adminUrl = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `payments_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { adminUrl, name, url: url.toString() };
}

/** Removes a bench run's Redis keys (only its own prefix) and drops its database. */
export async function dropBenchState(
  redisUrl: string,
  prefix: string,
  adminUrl: string,
  database: string,
): Promise<void> {
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  const cleanup = new pg.Client({ connectionString: adminUrl });
  await cleanup.connect();
  await cleanup.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await cleanup.end();
}

/** The two lines every bench prints first: its settings and the env it gives the app. */
export function settingsLines(
  settings: Record<string, unknown>,
  overrides: Record<string, unknown>,
): string[] {
  const join = (values: Record<string, unknown>): string =>
    Object.entries(values)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
  return [`settings: ${join(settings)}`, `env overrides for the app: ${join(overrides)}`];
}

/** A padded text table: header, rule, rows. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(fmt)].join('\n');
}

/**
 * The node flags `npm start` runs the app with (package.json's start script), so a benchmark's
 * app process runs as a user's would.
 */
export function startFlags(): string[] {
  const packageJson = new URL('../../package.json', import.meta.url);
  const { scripts } = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    scripts: { start: string };
  };
  const words = scripts.start.split(/\s+/);
  if (words[0] !== 'node') throw new Error(`unexpected start script: ${scripts.start}`);
  return words.slice(1).filter((word) => word.startsWith('--'));
}

/** What `drive` measured: calls made, calls that failed, seconds, and latency percentiles (ms). */
export interface Driven {
  count: number;
  errors: number;
  elapsed: number;
  p50: number;
  p99: number;
}

/** Runs `task` from `concurrency` loops for `seconds`, timing each call (false counts as an error). */
export async function drive(
  seconds: number,
  concurrency: number,
  task: (worker: number) => Promise<boolean>,
): Promise<Driven> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const ok = await task(worker);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { count: latencies.length, errors, elapsed, p50: pct(0.5), p99: pct(0.99) };
}

/** The summary row every money bench ends with: the ledger check over what the runs wrote. */
export function ledgerCheckRow(bench: string, ok: boolean, problems: number): SummaryRow {
  return {
    bench,
    metric: 'ledger check',
    value: ok ? 'clean' : `${problems} problem(s)`,
    target: 'clean',
    status: ok ? 'met' : 'MISSED',
  };
}
