import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/migrate.js';
import { NotificationRelayService } from '../src/modules/notifications/notification-relay.service.js';
import { SmtpSink } from '../test/fakes/smtp-sink.js';
import { BENCH_DATA_KEY, createBenchDatabase, dropBenchState } from './bench-kit.js';
import type { SummaryRow } from './run.js';

const PAYMENTS = Number(process.env.BENCH_NOTIFICATION_PAYMENTS ?? 5_000);
const TARGET_MAILS_PER_SECOND = 300;
const TIMEOUT_MS = 10 * 60 * 1000;

export interface NotificationsRunResult {
  payments: number;
  mails: number;
  /** From the commit of the settlements to the last mail accepted by the SMTP server. */
  seconds: number;
  mailsPerSecond: number;
  lost: number;
  doubled: number;
  failed: number;
  /** CPU this process (app, workers and the SMTP server) spent per mail: steadier than mails/s on a busy machine. */
  cpuMsPerMail: number;
}

/**
 * PAYMENTS payments of one merchant, each to its own payer, settled in one transaction (payment
 * row `succeeded` and its `payment.success` outbox row, as settlement writes them); from that
 * commit the clock runs until the local SMTP server has accepted the last receipt. Every payer
 * must have exactly one mail, and every notification must be `sent`.
 */
export async function runNotificationsBench(): Promise<NotificationsRunResult> {
  const { adminUrl, name, url: databaseUrl } = await createBenchDatabase();
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const smtp = await new SmtpSink({ parse: false }).start();
  Object.assign(process.env, {
    NODE_ENV: 'test',
    PROCESS_ROLE: 'all',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    DATABASE_URL: databaseUrl,
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: process.env.JWT_SECRET ?? 'bench-jwt-secret-that-is-long-enough-0123456789',
    DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY ?? BENCH_DATA_KEY,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Bench <no-reply@bench.example>',
  });
  const config = AppConfig.fromEnv();
  await migrate(config);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  await app.init();
  try {
    const dataSource = app.get(DataSource);
    const [merchant]: { id: string }[] = await dataSource.query(
      `INSERT INTO users (email) VALUES ($1) RETURNING id`,
      [`bench-merchant-${randomBytes(4).toString('hex')}@example.com`],
    );
    await dataSource.query(
      `WITH paid AS (
         INSERT INTO payments (reference, user_id, purpose, gateway, status, amount, currency,
                               amount_received, email, expires_at, settled_at)
         SELECT 'PAY-20260101000000-' || upper(lpad(to_hex(i), 8, '0')), $1, 'payment', 'paystack',
                'succeeded', 1000 + i, 'NGN', 1000 + i, 'payer-' || i || '@bench.example',
                now() + interval '1 day', now()
           FROM generate_series(1, $2::int) AS i
         RETURNING reference, user_id, amount, amount_received, currency, email, settled_at, updated_at
       )
       INSERT INTO events (id, user_id, type, data)
       SELECT 'evt_' || replace(gen_random_uuid()::text, '-', ''), user_id, 'payment.success',
              jsonb_build_object('reference', reference, 'purpose', 'payment', 'status', 'succeeded',
                'amount', amount, 'amount_received', amount_received, 'currency', currency,
                'email', email, 'settled_at', settled_at, 'updated_at', updated_at)
         FROM paid`,
      [merchant.id, PAYMENTS],
    );
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    // The relay also runs every second by itself; asking now starts at the commit.
    void app.get(NotificationRelayService).relayPending();
    while (smtp.mails.length < PAYMENTS && performance.now() - started < TIMEOUT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    // Every notification's state settles right after its mail is accepted.
    let states: { sent: number; failed: number } = { sent: 0, failed: 0 };
    for (let i = 0; i < 100; i++) {
      [states] = await dataSource.query(
        `SELECT count(*) FILTER (WHERE email_status = 'sent')::int AS sent,
                count(*) FILTER (WHERE email_status = 'failed')::int AS failed
           FROM notifications WHERE user_id = $1`,
        [merchant.id],
      );
      if (states.sent + states.failed >= PAYMENTS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const perPayer = new Map<string, number>();
    for (const mail of smtp.mails)
      for (const to of mail.to) perPayer.set(to, (perPayer.get(to) ?? 0) + 1);
    let lost = 0;
    for (let i = 1; i <= PAYMENTS; i++) if (!perPayer.has(`payer-${i}@bench.example`)) lost++;
    const doubled = [...perPayer.values()].filter((n) => n > 1).length;
    return {
      payments: PAYMENTS,
      mails: smtp.mails.length,
      seconds: Math.round(seconds * 100) / 100,
      mailsPerSecond: Math.round(smtp.mails.length / seconds),
      lost,
      doubled,
      failed: states.failed,
      cpuMsPerMail: Math.round(((cpu.user + cpu.system) / 1000 / PAYMENTS) * 100) / 100,
    };
  } finally {
    await app.close();
    await smtp.stop();
    await dropBenchState(config.redisUrl, prefix, adminUrl, name);
  }
}

export function formatNotificationsResult(r: NotificationsRunResult): string {
  return (
    `notifications: ${r.payments} settled payments → ${r.mails} receipts through a local SMTP server, ` +
    `the last ${r.seconds} s after the settlements committed = ${r.mailsPerSecond} mails/s; ` +
    `lost ${r.lost}, doubled ${r.doubled}, failed ${r.failed}; ${r.cpuMsPerMail} ms of CPU per mail`
  );
}

/** For bench/run.ts. */
export const notificationsBench = {
  name: 'notifications',
  run: async (): Promise<{ text: string; summary: SummaryRow[] }> => {
    const r = await runNotificationsBench();
    const text = formatNotificationsResult(r);
    if (r.lost > 0 || r.doubled > 0 || r.failed > 0)
      throw new Error(`receipts were lost, doubled or failed:\n${text}`);
    return {
      text,
      summary: [
        {
          bench: 'notifications',
          metric: `receipts mailed/s (${r.payments}; last after s; lost/doubled)`,
          value: `${r.mailsPerSecond} (${r.seconds} s; ${r.lost}/${r.doubled})`,
          target: `≥ ${TARGET_MAILS_PER_SECOND}, none lost or doubled`,
          status: r.mailsPerSecond >= TARGET_MAILS_PER_SECOND ? 'met' : 'MISSED',
        },
      ],
    };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runNotificationsBench();
  console.log(formatNotificationsResult(r));
  process.exit(r.lost > 0 || r.doubled > 0 || r.failed > 0 ? 1 : 0);
}
