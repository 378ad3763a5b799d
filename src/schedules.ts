import { Module, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { IdempotencyService } from './http/idempotency/idempotency.service.js';
import { AppConfig } from './config/app-config.js';
import { TokensService } from './modules/auth/jwt/tokens.service.js';
import { InboundPayloadRetention } from './modules/incoming-webhooks/inbound-payload-retention.js';
import { DisputePollService } from './modules/disputes/dispute-poll.service.js';
import { MaintenanceTasks } from './queue/maintenance.processor.js';
import { JobName, QueueName } from './queue/queue-names.js';
import { WorkerRunner } from './queue/worker-runner.service.js';
import { TestModeService } from './modules/test-mode/test-mode.service.js';

const HOURLY = 3_600_000;

export interface Schedule {
  queue: QueueName;
  job: JobName;
  /** How often it runs, in milliseconds. */
  everyMs: (config: AppConfig) => number;
  /**
   * What a job of the maintenance queue runs. The other queues' processors handle their own job
   * names (the payments processor reconciles, the relay processor relays…).
   */
  task?: (moduleRef: ModuleRef) => Promise<unknown>;
}

/**
 * Every repeating job, in one table. The WorkerRunner keeps them registered in Redis (in processes
 * that run workers), as BullMQ job schedulers whose id is the job name.
 */
export const SCHEDULES: readonly Schedule[] = [
  // Payments: verify pending (and recently abandoned) payments whose webhook may never come.
  {
    queue: QueueName.Payments,
    job: JobName.ReconcilePayments,
    everyMs: (config) => config.reconcileIntervalMs,
  },
  // Inbound webhooks: enqueue stored events whose job was lost.
  {
    queue: QueueName.InboundWebhooks,
    job: JobName.SweepInboundWebhooks,
    everyMs: (config) => config.inboundWebhookSweepIntervalMs,
  },
  // Refunds: poll unfinished refunds at their gateway, enqueue those whose job was lost.
  {
    queue: QueueName.Refunds,
    job: JobName.ReconcileRefunds,
    everyMs: (config) => config.refundReconcileIntervalMs,
  },
  // Outbound webhooks: relay the outbox when nobody kicked it, and enqueue deliveries whose job was lost.
  { queue: QueueName.WebhookRelay, job: JobName.RelayOutbox, everyMs: () => 1_000 },
  { queue: QueueName.WebhookRelay, job: JobName.SweepDeliveries, everyMs: () => 5_000 },
  // Maintenance: retention of what is kept only for a while.
  {
    queue: QueueName.Maintenance,
    job: JobName.PurgeIdempotencyKeys,
    everyMs: () => HOURLY,
    task: (moduleRef) => moduleRef.get(IdempotencyService, { strict: false }).purgeExpired(),
  },
  {
    queue: QueueName.Maintenance,
    job: JobName.PurgeAuthTokens,
    everyMs: () => HOURLY,
    task: (moduleRef) => moduleRef.get(TokensService, { strict: false }).purgeExpired(),
  },
  {
    queue: QueueName.Maintenance,
    job: JobName.PurgeInboundPayloads,
    everyMs: () => HOURLY,
    task: (moduleRef) => moduleRef.get(InboundPayloadRetention, { strict: false }).purgeExpired(),
  },
  // Disputes: gateways whose chargebacks are polled, not pushed (Flutterwave), every 15 minutes.
  {
    queue: QueueName.Maintenance,
    job: JobName.PollDisputes,
    everyMs: () => 15 * 60_000,
    task: (moduleRef) => moduleRef.get(DisputePollService, { strict: false }).pollAll(),
  },
  // Notifications: turn committed events into notifications, and enqueue mails whose job was lost.
  { queue: QueueName.NotificationRelay, job: JobName.RelayNotifications, everyMs: () => 1_000 },
  {
    queue: QueueName.NotificationRelay,
    job: JobName.SweepNotificationEmails,
    everyMs: () => 5_000,
  },
  // Test mode: the test gateway decides delayed payments and sends events a crash left unsent.
  {
    queue: QueueName.Maintenance,
    job: JobName.SettleTestPayments,
    everyMs: (config) => (config.testMode ? 1_000 : HOURLY),
    task: (moduleRef) => moduleRef.get(TestModeService, { strict: false }).sweep(),
  },
  // Payouts: verify processing payouts by reference (lost webhooks), enqueue pending ones whose job was lost.
  {
    queue: QueueName.Payouts,
    job: JobName.ReconcilePayouts,
    everyMs: (config) => config.payoutReconcileIntervalMs,
  },
];

/** Hands SCHEDULES to the WorkerRunner, and the maintenance tasks to the maintenance processor. */
@Module({})
export class SchedulesModule implements OnModuleInit {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly runner: WorkerRunner,
    private readonly tasks: MaintenanceTasks,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    for (const schedule of SCHEDULES) {
      const { queue, job, task } = schedule;
      if ((queue === QueueName.Maintenance) !== (task !== undefined))
        throw new Error(`schedule ${job}: exactly the maintenance jobs name a task`);
      if (task) this.tasks.register(job, () => task(this.moduleRef));
      this.runner.every(queue, job, schedule.everyMs(this.config));
    }
  }
}
