import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { MaintenanceTasks } from '../../queue/maintenance.processor.js';
import { JobName, QueueName } from '../../queue/queue-names.js';
import { WorkerRunner } from '../../queue/worker-runner.service.js';
import { InboundPayloadRetention } from './inbound/inbound-payload-retention.js';

/** Hourly: stored webhook payloads past INBOUND_PAYLOAD_RETENTION are deleted. */
const PAYLOAD_RETENTION_RUN_MS = 3_600_000;

/**
 * The inbound-webhook sweeper, reconciliation and inbound payload retention run on repeating
 * schedules kept by the WorkerRunner.
 */
@Injectable()
export class PaymentsSchedules {
  constructor(
    runner: WorkerRunner,
    config: AppConfig,
    tasks: MaintenanceTasks,
    retention: InboundPayloadRetention,
  ) {
    runner.every(QueueName.Payments, JobName.ReconcilePayments, config.reconcileIntervalMs);
    runner.every(
      QueueName.InboundWebhooks,
      JobName.SweepInboundWebhooks,
      config.inboundWebhookSweepIntervalMs,
    );
    tasks.register(JobName.PurgeInboundPayloads, () => retention.purgeExpired());
    runner.every(QueueName.Maintenance, JobName.PurgeInboundPayloads, PAYLOAD_RETENTION_RUN_MS);
  }
}
