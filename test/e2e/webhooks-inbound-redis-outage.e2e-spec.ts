import { spawn, ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { LOG_DESTINATION } from '../../src/common/logging/logging.module.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import { createPayment, paymentsEnv, paymentStatus, sql, waitFor } from './payments.helpers.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server of this test's own (never the shared one), without persistence. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    };
    child.stdout?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('inbound webhooks while Redis is down (e2e)', () => {
  const { stream: capture, lines } = captureLogs();
  let t: TestApp;
  let paystack: FakePaystack;
  let generic: GenericWebhookSender;
  let redis: ChildProcess;
  let port: number;
  let alice: SignedIn;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    paystack = await new FakePaystack().start();
    generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      env: {
        ...paymentsEnv(paystack, generic.secret),
        REDIS_URL: `redis://127.0.0.1:${port}`,
        LOG_LEVEL: 'warn',
      },
      override: (builder) => builder.overrideProvider(LOG_DESTINATION).useValue(capture),
    });
    alice = await signIn(t, 'alice@example.com');
  });

  afterAll(async () => {
    if (redis.exitCode !== null) redis = await startRedis(port);
    await t.close();
    await stopRedis(redis);
    await paystack.stop();
  });

  it('answers webhooks 200 within a second while Redis is stopped, and settles them once it is back', async () => {
    const payments = [];
    for (let i = 0; i < 3; i++)
      payments.push(
        await createPayment(t, alice.authHeader, {
          amount: 1_000 + i,
          currency: 'USD',
          gateway: 'generic',
        }),
      );

    await stopRedis(redis);
    for (const [i, payment] of payments.entries()) {
      const body = JSON.stringify({
        transaction_id: payment.reference,
        status: 'completed',
        amount: payment.amount,
        currency: 'USD',
      });
      // The request must not hang on the dead Redis: it is aborted (and the test fails) after one second.
      const response = await fetch(`${t.url}/api/v1/webhooks/generic`, {
        method: 'POST',
        headers: { ...generic.headers(body), 'X-Request-Id': `outage-webhook-${i}` },
        body,
        signal: AbortSignal.timeout(1_000),
      });
      expect(response.status).toBe(200);
    }
    // Each failed enqueue is logged under its webhook's own request id.
    for (let i = 0; i < payments.length; i++) {
      expect(
        lines.find(
          (line) =>
            line.request_id === `outage-webhook-${i}` &&
            typeof line.msg === 'string' &&
            line.msg.startsWith('could not enqueue inbound-webhooks/'),
        ),
      ).toMatchObject({ level: 40, context: 'QueueProducer' });
    }
    const stored = await sql<{ status: string; enqueued_at: Date | null }>(
      t,
      `SELECT status, enqueued_at FROM inbound_webhook_events WHERE reference = ANY($1)`,
      [payments.map((p) => p.reference)],
    );
    expect(stored).toHaveLength(3);
    expect(stored.every((row) => row.status === 'received' && row.enqueued_at === null)).toBe(true);
    for (const payment of payments)
      expect(await paymentStatus(t, payment.reference)).toBe('pending');

    redis = await startRedis(port);
    for (const payment of payments) {
      await waitFor(
        () => paymentStatus(t, payment.reference),
        (status) => status === 'succeeded',
        30_000,
      );
    }
  });
});
