import { randomBytes } from 'node:crypto';
import { Controller, Get, Param, Post } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { getDataSourceToken, InjectDataSource } from '@nestjs/typeorm';
import type { Job, Queue } from 'bullmq';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { Public } from '../../src/common/auth/auth.decorators.js';
import { LOG_DESTINATION } from '../../src/common/logging/logging.module.js';
import { queryRows } from '../../src/database/sql.js';
import { WebhookEndpointsService } from '../../src/modules/outbound-webhooks/webhook-endpoints.service.js';
import { MaintenanceTasks } from '../../src/queue/maintenance.processor.js';
import { QueueName } from '../../src/queue/queue-names.js';
import { signIn } from '../helpers/auth.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { waitFor } from './payments.helpers.js';

/** Secret-shaped values, each passed to a statement that fails, one way or another. */
const SECRETS = {
  uuid: `whsec_${randomBytes(24).toString('base64')}`,
  raw: `sk_live_${randomBytes(24).toString('base64url')}`,
  duplicate: `whsec_${randomBytes(24).toString('base64')}`,
  json: `tok_${randomBytes(24).toString('hex')}`,
  job: `AUTH_${randomBytes(16).toString('hex')}`,
};

/** Statements that fail with a secret among their parameters, run the ways the app runs SQL. */
@Public()
@Controller('sql-probe')
class SqlProbeController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** TypeORM: PostgreSQL quotes the bad value in its message. */
  @Get('typeorm')
  async typeorm(): Promise<unknown> {
    return this.dataSource.query(`SELECT $1::uuid AS id`, [SECRETS.uuid]);
  }

  /** The raw-SQL helper, past TypeORM. */
  @Get('raw')
  async raw(): Promise<unknown> {
    return queryRows(this.dataSource.manager, `SELECT $1::uuid AS id`, [SECRETS.raw]);
  }

  /** A unique violation: PostgreSQL repeats the key in the detail. */
  @Get('duplicate')
  async duplicate(): Promise<unknown> {
    const insert = `INSERT INTO app_secrets (name, value) VALUES ($1, $2)`;
    await this.dataSource.query(insert, [SECRETS.duplicate, 'enc:v1:probe:x']);
    return this.dataSource.query(insert, [SECRETS.duplicate, 'enc:v1:probe:x']);
  }

  /** Malformed JSON: PostgreSQL quotes the fragment around the error in the context. */
  @Get('json')
  async json(): Promise<unknown> {
    return this.dataSource.query(`SELECT $1::jsonb AS doc`, [`{"token": "${SECRETS.json}" `]);
  }

  /** The path the report found: an endpoint INSERT carrying its new secret fails. */
  @Post('endpoint/:userId')
  async endpoint(@Param('userId') userId: string): Promise<unknown> {
    return this.moduleRef
      .get(WebhookEndpointsService, { strict: false })
      .create(userId, { url: 'http://127.0.0.1:9/hook', events: ['*'], description: 'a\u0000b' });
  }
}

describe('no SQL parameter values in logs (e2e)', () => {
  const { stream, raw: lines } = captureLogs();
  const printed: string[] = [];
  const originalConsole = { ...console };
  let t: TestApp;

  beforeAll(async () => {
    // Anything written to the console (TypeORM's own logger writes there) is captured too.
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      console[method] = (...args: unknown[]) => {
        printed.push(args.map((arg) => (typeof arg === 'string' ? arg : String(arg))).join(' '));
      };
    }
    t = await createTestApp({
      env: { LOG_LEVEL: 'debug', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' },
      controllers: [SqlProbeController],
      override: (builder) => builder.overrideProvider(LOG_DESTINATION).useValue(stream),
    });
  });

  afterAll(async () => {
    await t.close();
    Object.assign(console, originalConsole);
  });

  it('logs failed statements, through a request and a job, without the values they were given', async () => {
    for (const probe of ['typeorm', 'raw', 'duplicate', 'json']) {
      await request(t.url)
        .get(`/api/v1/sql-probe/${probe}`)
        .set('X-Request-Id', `sql-probe-${probe}`)
        .expect(500);
    }
    const user = await signIn(t, 'sql-probe@example.com');
    await request(t.url)
      .post(`/api/v1/sql-probe/endpoint/${user.userId}`)
      .set('X-Request-Id', 'sql-probe-endpoint')
      .expect(500);

    // A job whose statement fails: its error is logged and kept in Redis as the job's failure.
    t.get<MaintenanceTasks>(MaintenanceTasks).register('sql-probe', () =>
      queryRows(t.get<DataSource>(getDataSourceToken()).manager, `SELECT $1::int AS n`, [
        SECRETS.job,
      ]),
    );
    const queue = t.get<Queue>(getQueueToken(QueueName.Maintenance));
    const added = await queue.add('sql-probe', {}, { attempts: 1 });
    const failed = await waitFor(
      () => queue.getJob(added.id as string),
      (job) => job?.failedReason !== undefined && job.failedReason !== '',
    );

    // The errors were logged (request ids, SQLSTATE codes, statements), so the scan below means something.
    const everything = [...lines, ...printed].join('\n');
    for (const probe of ['typeorm', 'raw', 'duplicate', 'json', 'endpoint'])
      expect(everything).toContain(`"request_id":"sql-probe-${probe}"`);
    for (const code of ['22P02', '23505', '22021']) expect(everything).toContain(code);
    expect(everything).toContain('SELECT $1::uuid AS id');
    expect((failed as Job).failedReason).toContain('invalid input syntax for type integer');

    const leaks = Object.entries(SECRETS).flatMap(([name, value]) => [
      { name, leaked: everything.includes(value) },
      { name: `${name} (inner part)`, leaked: everything.includes(value.slice(8, 30)) },
    ]);
    for (const leak of leaks) expect(leak).toEqual({ name: leak.name, leaked: false });
    // The endpoint INSERT carried a generated secret, in the clear and sealed.
    expect(everything).not.toMatch(/whsec_[A-Za-z0-9+/]{20}/);
    expect(everything).not.toContain('enc:v1:');
    const stored = `${(failed as Job).failedReason}\n${((failed as Job).stacktrace ?? []).join('\n')}`;
    expect(stored).not.toContain(SECRETS.job);
  });
});
