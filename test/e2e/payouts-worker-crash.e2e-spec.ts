import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn } from '../helpers/auth.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DATA_KEY,
  TEST_JWT_SECRET,
  type TestApp,
  type TestDatabase,
} from '../helpers/test-env.js';
import { stopChild } from './faults.helpers.js';
import { paymentsEnv, sql, waitFor } from './payments.helpers.js';
import {
  balance,
  createRecipient,
  expectLedgerClean,
  fund,
  PAYOUT_ENV,
  payoutPostings,
  payoutRow,
  withdraw,
} from './payouts.helpers.js';

/**
 * A worker process (`node dist/src/main.js`, PROCESS_ROLE=worker) SIGKILLed while its transfer
 * call is at the gateway (the fake recorded the transfer and holds the answer). The next worker
 * must not send it again: the payout is `processing` (claimed before the call), so it is only
 * verified by reference, and finishes once the gateway settles it. This process runs the API
 * (PROCESS_ROLE=api, no jobs) on the same database and Redis prefix.
 */
describe('a worker killed mid-payout (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp;
  let paystack: FakePaystack;
  let env: Record<string, string | undefined>;
  const children: ChildProcess[] = [];
  const output: string[] = [];

  function startWorker(name: string): ChildProcess {
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: { ...env, PROCESS_ROLE: 'worker' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(`[${name}] ${chunk.toString()}`));
    child.stderr?.on('data', (chunk: Buffer) => output.push(`[${name}] ${chunk.toString()}`));
    children.push(child);
    return child;
  }

  async function explained<T>(step: Promise<T>): Promise<T> {
    try {
      return await step;
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\n--- worker output ---\n${output.join('').slice(-4_000)}`,
      );
    }
  }

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'ignore' });
    db = await createTestDatabase();
    paystack = await new FakePaystack().start();
    const secret = GenericWebhookSender.newSecret();
    api = await createTestApp({
      db,
      env: { PROCESS_ROLE: 'api', ...paymentsEnv(paystack, secret, PAYOUT_ENV) },
    });
    paystack.appUrl = api.url;
    const childEnv: Record<string, string | undefined> = { ...process.env };
    delete childEnv.NODE_OPTIONS;
    env = {
      ...childEnv,
      ...paymentsEnv(paystack, secret, {
        ...PAYOUT_ENV,
        GATEWAY_TIMEOUT: '60s',
        PAYOUT_RECONCILE_INTERVAL: '1s',
      }),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: '0',
      DATABASE_URL: db.url,
      REDIS_URL: api.config.redisUrl,
      REDIS_KEY_PREFIX: api.config.redisKeyPrefix,
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
    };
  }, 300_000);

  afterAll(async () => {
    for (const child of children) await stopChild(child);
    await api?.close();
    await paystack?.stop();
    await db?.drop();
  });

  it('sends nothing twice and loses nothing when the worker dies during the transfer call', async () => {
    const owner = await signIn(api, 'crash-payout@example.com');
    await fund(api, paystack, owner, 50_000);
    const recipient = await createRecipient(api, owner);
    paystack.failNextTransfers(1, 'hang', 'after_record');
    const res = await withdraw(api, owner, { amount: 20_000, recipient_id: recipient.id });
    expect(res.status).toBe(202);
    const reference = (res.body.reference as string).toLowerCase();

    const first = startWorker('worker-1');
    // the gateway has the transfer and the worker waits for its answer: kill it there
    await explained(
      waitFor(
        async () => paystack.findTransfer(reference),
        (transfer) => transfer !== undefined,
        60_000,
      ),
    );
    await stopChild(first, 'SIGKILL');
    expect(first.signalCode).toBe('SIGKILL');
    expect((await payoutRow(api, res.body.id)).status).toBe('processing');

    startWorker('worker-2');
    // the next worker's reconciliation verifies it (pending at the gateway: nothing is sent)
    await explained(
      waitFor(
        () => payoutRow(api, res.body.id),
        (row) => row.gateway_transfer_id !== null,
        60_000,
      ),
    );
    expect(paystack.transferRequests.filter((body) => body.reference === reference)).toHaveLength(
      1,
    );
    await paystack.settleTransfer(reference, 'success');
    await explained(
      waitFor(
        () => payoutRow(api, res.body.id),
        (row) => row.status === 'succeeded',
        60_000,
      ),
    );
    expect(paystack.transferRequests.filter((body) => body.reference === reference)).toHaveLength(
      1,
    );
    expect((await payoutRow(api, res.body.id)).send_attempts).toBe(1);
    expect(await balance(api, owner)).toBe(30_000);
    expect(await payoutPostings(api, res.body.reference as string)).toEqual([
      'withdrawal',
      'withdrawal_settlement',
    ]);
    const events = await sql<{ type: string }>(
      api,
      `SELECT type FROM events WHERE type LIKE 'payout.%' AND data->>'id' = $1`,
      [res.body.id],
    );
    expect(events.map((event) => event.type)).toEqual(['payout.succeeded']);
    await expectLedgerClean(api);
  }, 180_000);
});
