import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { DataSource } from 'typeorm';
import { OutboxService } from '../../src/modules/outbound-webhooks/outbox.service.js';
import { OutboxRelayService } from '../../src/modules/outbound-webhooks/outbox-relay.service.js';
import { verifiesWith, WebhookReceiver } from '../fakes/webhook-receiver.js';
import { signIn } from '../helpers/auth.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DATA_KEY,
  type TestApp,
  type TestDatabase,
} from '../helpers/test-env.js';
import request from 'supertest';

const WEBHOOK_ENV = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '0,1,1' };

/**
 * A worker process killed mid-delivery must not lose the delivery: the test runs real worker
 * processes (`node dist/src/main.js`, PROCESS_ROLE=worker) against its own database and Redis
 * prefix, kills the first with SIGKILL while the receiver holds its request open, and starts another.
 */
describe('outbound webhooks survive a killed worker (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let receiver: WebhookReceiver;
  const workers: ChildProcess[] = [];
  const output: string[] = [];

  function startWorker(name: string): ChildProcess {
    const env: Record<string, string | undefined> = { ...process.env };
    delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the app
    Object.assign(env, {
      NODE_ENV: 'test',
      PROCESS_ROLE: 'worker',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      REDIS_URL: t.config.redisUrl,
      REDIS_KEY_PREFIX: t.config.redisKeyPrefix,
      JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
      // The key the API process sealed the endpoint's secret with (test-env.ts).
      DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
      ...WEBHOOK_ENV,
    });
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(`[${name}] ${chunk.toString()}`));
    child.stderr?.on('data', (chunk: Buffer) => output.push(`[${name}] ${chunk.toString()}`));
    workers.push(child);
    return child;
  }

  beforeAll(async () => {
    // The workers run the built app: build it when the sources are newer than dist/.
    execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'ignore' });
    db = await createTestDatabase();
    // This process only serves the API: every job runs in the worker processes.
    t = await createTestApp({ db, env: { PROCESS_ROLE: 'api', ...WEBHOOK_ENV } });
    receiver = await new WebhookReceiver().start();
  }, 300_000);

  afterAll(async () => {
    for (const child of workers) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
    await receiver?.close();
    await t?.close();
    await db?.drop();
  });

  it('still delivers the event, with the same webhook-id, after the worker is killed mid-request', async () => {
    const user = await signIn(t, 'crash@example.com');
    const created = await request(t.url)
      .post('/api/v1/webhook-endpoints')
      .set(user.authHeader)
      .send({ url: `${receiver.url}/crash`, events: ['payment.success'] })
      .expect(201);
    const secret: string = created.body.secret;

    const first = startWorker('worker-1');
    receiver.respondWith(() => {
      if (receiver.requests.length === 1) {
        // The worker has the request in flight: kill it before any answer arrives.
        first.kill('SIGKILL');
        return { status: 200, hold: true };
      }
      return { status: 200, body: 'ok' };
    });

    const dataSource = t.get<DataSource>(DataSource);
    const eventId = await dataSource.transaction((manager) =>
      t.get<OutboxService>(OutboxService).record(manager, {
        userId: user.userId,
        type: 'payment.success',
        data: { reference: 'PAY-CRASH' },
      }),
    );
    await t.get<OutboxRelayService>(OutboxRelayService).kick();

    await receiver.waitFor(
      () => receiver.requests.length === 1,
      60_000,
      'the first worker’s request',
    );
    await new Promise((resolve) => first.once('exit', resolve));
    expect(first.signalCode).toBe('SIGKILL');

    startWorker('worker-2');
    try {
      await receiver.waitFor(
        () => receiver.forEvent(eventId).length >= 2,
        90_000,
        'the redelivery',
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output.join('')}`);
    }

    const received = receiver.forEvent(eventId);
    expect(received.every((r) => r.headers['webhook-id'] === eventId)).toBe(true);
    expect(received.every((r) => verifiesWith(secret, r))).toBe(true);

    const deadline = Date.now() + 15_000;
    let rows: { status: string; attempts: number; last_status_code: number | null }[] = [];
    while (Date.now() < deadline) {
      rows = await dataSource.query(
        `SELECT status, attempts, last_status_code FROM webhook_deliveries WHERE event_id = $1`,
        [eventId],
      );
      if (rows[0]?.status === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'succeeded', last_status_code: 200 });
    expect(rows[0].attempts).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
