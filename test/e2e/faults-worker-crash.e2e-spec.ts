import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import request from 'supertest';
import type { ProcessInboundWebhookJob } from '../../src/modules/incoming-webhooks/inbound-webhook-jobs.js';
import { LedgerCheckService } from '../../src/modules/ledger/ledger-check.service.js';
import { JobName, QueueName } from '../../src/queue/queue-names.js';
import { bullPrefix } from '../../src/queue/queue-producer.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DATA_KEY,
  TEST_JWT_SECRET,
  type TestApp,
  type TestDatabase,
} from '../helpers/test-env.js';
import { paymentsEnv, waitFor } from './payments.helpers.js';
import { freePort, type Query, settlementRecord, stopChild } from './faults.helpers.js';

/**
 * The worker process killed mid-settlement. The API and the workers are real processes
 * (`node dist/src/main.js` with PROCESS_ROLE=api / worker) on the test's own database and Redis
 * prefix; the test stalls a worker inside its settlement with a database lock of its own, SIGKILLs
 * it there, starts another, and checks that the payment settled exactly once: one state
 * transition, one payment.success, one ledger credit, a clean ledger. A settlement and its event's
 * outcome commit in one statement, so the one window left is after that commit and before BullMQ
 * hears the job is done: the job then runs again, which the second test does on purpose. (This
 * process also boots the app with PROCESS_ROLE=api, only to sign users in and run the ledger
 * check: it runs no jobs.)
 */
describe('a worker killed mid-settlement (e2e)', () => {
  let db: TestDatabase;
  let inspector: TestApp;
  let paystack: FakePaystack;
  let env: Record<string, string | undefined>;
  let apiUrl: string;
  /** Holds locks in transactions of its own. */
  let locker: pg.Client;
  /** Reads pg_stat_activity and the outcome, outside any transaction. */
  let observer: pg.Client;
  const children: ChildProcess[] = [];
  let redisClient: Redis;
  /** The inbound-webhooks queue of the app processes, to look at their jobs. */
  let inbound: Queue;
  /** The worker that took over in the first test; the second test kills it. */
  let survivor: ChildProcess | undefined;
  const output: string[] = [];
  const query: Query = async <T>(text: string, params: unknown[] = []) =>
    (await observer.query(text, params)).rows as T[];

  function startApp(
    name: string,
    role: 'api' | 'worker',
    extra: Record<string, string> = {},
  ): ChildProcess {
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: { ...env, PROCESS_ROLE: role, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(`[${name}] ${chunk.toString()}`));
    child.stderr?.on('data', (chunk: Buffer) => output.push(`[${name}] ${chunk.toString()}`));
    children.push(child);
    return child;
  }

  /** Fails with the children's output, which is where a crash in them shows. */
  async function orExplain<T>(step: Promise<T>): Promise<T> {
    try {
      return await step;
    } catch (error) {
      const events = await query(
        `SELECT status, attempts, last_error, enqueued_at FROM inbound_webhook_events`,
      ).catch(() => []);
      const backends = await query(
        `SELECT application_name, state, wait_event_type, wait_event, left(query, 120) AS query FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      ).catch(() => []);
      throw new Error(
        `${(error as Error).message}\ninbound events: ${JSON.stringify(events)}\nbackends: ${JSON.stringify(backends)}` +
          `\n--- child output ---\n${output.join('').slice(-4_000)}`,
      );
    }
  }

  /** The worker's backend once it waits on a lock the test holds and meets `condition` (on `a`). */
  async function stalledWorkerBackend(condition: string): Promise<number> {
    const rows = await orExplain(
      waitFor(
        () =>
          query<{ pid: number }>(
            `SELECT a.pid FROM pg_stat_activity a
              WHERE a.datname = current_database() AND a.application_name = 'payments-worker'
                AND a.state = 'active' AND a.wait_event_type = 'Lock' AND ${condition}`,
          ),
        (found) => found.length === 1,
        30_000,
      ),
    );
    return rows[0].pid;
  }

  async function backendGone(pid: number): Promise<void> {
    await waitFor(
      () => query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE pid = $1`, [pid]),
      (rows) => rows.length === 0,
      15_000,
    );
  }

  async function startDeposit(owner: SignedIn, amount: number): Promise<string> {
    const res = await request(apiUrl)
      .post('/api/v1/wallet/deposit')
      .set(owner.authHeader)
      .send({ amount })
      .expect(201);
    return res.body.reference as string;
  }

  async function walletAccount(owner: SignedIn): Promise<{ id: string; balance: number }> {
    const [row] = await query<{ id: string; balance: string }>(
      `SELECT id, balance FROM ledger_accounts WHERE user_id = $1`,
      [owner.userId],
    );
    return { id: row.id, balance: Number(row.balance) };
  }

  async function inboundEvent(
    reference: string,
  ): Promise<{ status: string; attempts: number; last_error: string | null }> {
    const [row] = await query<{ status: string; attempts: number; last_error: string | null }>(
      `SELECT status, attempts, last_error FROM inbound_webhook_events WHERE reference = $1`,
      [reference],
    );
    return row;
  }

  async function eventRowId(reference: string): Promise<string> {
    const [row] = await query<{ id: string }>(
      `SELECT id FROM inbound_webhook_events WHERE reference = $1`,
      [reference],
    );
    return row.id;
  }

  async function paymentStatus(reference: string): Promise<string> {
    const [row] = await query<{ status: string }>(
      `SELECT status FROM payments WHERE reference = $1`,
      [reference],
    );
    return row.status;
  }

  beforeAll(async () => {
    // The children run the built app: build it when the sources are newer than dist/.
    execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'ignore' });
    db = await createTestDatabase();
    paystack = await new FakePaystack().start();
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    inspector = await createTestApp({
      db,
      env: { PROCESS_ROLE: 'api', ...paymentsEnv(paystack, GenericWebhookSender.newSecret()) },
    });
    const redisUrl = inspector.config.redisUrl;
    redisClient = new Redis(redisUrl, { maxRetriesPerRequest: null });
    inbound = new Queue(QueueName.InboundWebhooks, {
      connection: redisClient,
      prefix: bullPrefix(inspector.config),
    });
    const childEnv: Record<string, string | undefined> = { ...process.env };
    delete childEnv.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the app
    env = {
      ...childEnv,
      ...paymentsEnv(paystack, GenericWebhookSender.newSecret()),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: inspector.config.redisKeyPrefix,
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
    };
    locker = new pg.Client({ connectionString: db.url, application_name: 'fault-test-locker' });
    observer = new pg.Client({ connectionString: db.url, application_name: 'fault-test-observer' });
    await locker.connect();
    await observer.connect();
    startApp('api', 'api');
    await orExplain(
      waitFor(
        () =>
          fetch(`${apiUrl}/api/v1/health`).then(
            (res) => res.status,
            () => 0,
          ),
        (status) => status === 200,
        60_000,
      ),
    );
  }, 300_000);

  afterAll(async () => {
    for (const child of children) await stopChild(child);
    await inbound?.close();
    redisClient?.disconnect();
    await locker?.end().catch(() => undefined);
    await observer?.end().catch(() => undefined);
    await inspector?.close();
    await paystack?.stop();
    await db?.drop();
  });

  it('rolls back the settlement of a worker killed inside it, and the next worker settles it once', async () => {
    const alice = await signIn(inspector, 'alice@example.com');
    const reference = await startDeposit(alice, 25_000);
    paystack.markPaid(reference);
    const wallet = await walletAccount(alice);

    // Hold alice's ledger row: the settlement statement gets as far as crediting the wallet
    // (payment row updated, audit and outbox written) and waits there.
    await locker.query('BEGIN');
    await locker.query(`SELECT id FROM ledger_accounts WHERE id = $1 FOR UPDATE`, [wallet.id]);
    let orphan: number;
    try {
      const first = startApp('worker-1', 'worker');
      expect(
        (await paystack.sendWebhook(apiUrl, paystack.chargeSuccessEvent(reference))).status,
      ).toBe(200);
      // The only lock the worker can wait on is the test's: it is crediting the wallet.
      orphan = await stalledWorkerBackend('true');
      await stopChild(first, 'SIGKILL');
      expect(first.signalCode).toBe('SIGKILL');
      // Its connection dies with it, as when its host goes. (A backend waiting on a lock does not
      // notice a vanished client: left alone, the statement, its own transaction, would get the
      // lock and commit whole. Either way it is all or nothing.)
      await observer.query(`SELECT pg_terminate_backend($1)`, [orphan]);
      await backendGone(orphan);
    } finally {
      await locker.query('ROLLBACK');
    }
    // Nothing of it remains, and its event is still open for the next worker.
    expect(await paymentStatus(reference)).toBe('pending');
    expect(await settlementRecord(query, reference)).toEqual({
      transitions: [],
      events: [],
      credits: 0,
    });
    expect((await walletAccount(alice)).balance).toBe(0);
    expect((await inboundEvent(reference)).status).toBe('received');

    survivor = startApp('worker-2', 'worker');
    await orExplain(
      waitFor(
        () => inboundEvent(reference),
        (event) => event.status === 'processed',
        45_000,
      ),
    );
    expect(await paymentStatus(reference)).toBe('succeeded');
    expect(await settlementRecord(query, reference)).toEqual({
      transitions: [{ from_status: 'pending', to_status: 'succeeded' }],
      events: ['payment.success', 'wallet.deposit.success'],
      credits: 1,
    });
    expect((await walletAccount(alice)).balance).toBe(25_000);
    const check = await inspector.get<LedgerCheckService>(LedgerCheckService).run();
    expect(check.problems).toEqual([]);
  }, 120_000);

  it('changes nothing when a job runs again after its settlement committed (as for a worker that died before acknowledging it)', async () => {
    const bob = await signIn(inspector, 'bob@example.com');
    const reference = await startDeposit(bob, 40_000);
    paystack.markPaid(reference);
    if (!survivor || survivor.exitCode !== null)
      throw new Error('worker-2 from the first test is not running');
    expect(
      (await paystack.sendWebhook(apiUrl, paystack.chargeSuccessEvent(reference))).status,
    ).toBe(200);
    // The settlement and its event's outcome commit in one statement.
    await orExplain(
      waitFor(
        () => inboundEvent(reference),
        (event) => event.status === 'processed',
        45_000,
      ),
    );
    const settled = await settlementRecord(query, reference);
    expect(settled).toEqual({
      transitions: [{ from_status: 'pending', to_status: 'succeeded' }],
      events: ['payment.success', 'wallet.deposit.success'],
      credits: 1,
    });

    // The job once more, as BullMQ hands back a job whose worker died after the commit and
    // before acknowledging it (a stalled job): it finds its event processed and leaves it.
    const rerun = await inbound.add(JobName.ProcessInboundWebhook, {
      inboundEventId: await eventRowId(reference),
    } satisfies ProcessInboundWebhookJob);
    await orExplain(
      waitFor(
        async () => (await inbound.getJob(rerun.id ?? ''))?.getState(),
        (state) => state === 'completed',
        30_000,
      ),
    );
    expect(await settlementRecord(query, reference)).toEqual(settled);
    const event = await inboundEvent(reference);
    expect(event.status).toBe('processed');
    // Written once, by the settlement: the second run wrote nothing.
    expect(event.attempts).toBe(1);
    expect((await walletAccount(bob)).balance).toBe(40_000);
    const check = await inspector.get<LedgerCheckService>(LedgerCheckService).run();
    expect(check.problems).toEqual([]);
  }, 120_000);
});
