import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** Runs SQL against the test's database (the in-process app's pool, or a pg client of the test's). */
export type Query = <T>(text: string, params?: unknown[]) => Promise<T[]>;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server of the test's own (never the shared one), without persistence. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return child;
}

export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export interface SettlementRecord {
  transitions: { from_status: string; to_status: string }[];
  /** payment.success / wallet.deposit.success rows in the outbox. */
  events: string[];
  /** Ledger transfers crediting the deposit (key deposit:<payment id>). */
  credits: number;
}

/** Everything settling a payment leaves behind, to check it happened exactly once. */
export async function settlementRecord(query: Query, reference: string): Promise<SettlementRecord> {
  const transitions = await query<{ from_status: string; to_status: string }>(
    `SELECT a.from_status, a.to_status FROM payment_audit_entries a JOIN payments p ON p.id = a.payment_id
      WHERE p.reference = $1 AND a.action = 'transition' ORDER BY a.id`,
    [reference],
  );
  const events = await query<{ type: string }>(
    `SELECT type FROM events
      WHERE (type LIKE 'payment.%' AND data->>'reference' = $1)
         OR (type = 'wallet.deposit.success' AND data->>'reference' = $1)
      ORDER BY type`,
    [reference],
  );
  const [credits] = await query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ledger_transfers l JOIN payments p ON l.key = 'deposit:' || p.id::text
      WHERE p.reference = $1`,
    [reference],
  );
  return { transitions, events: events.map((e) => e.type), credits: credits.n };
}
