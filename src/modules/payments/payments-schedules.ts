import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { JobName, QueueName } from '../../queue/queue-names.js';
import { WorkerRunner } from '../../queue/worker-runner.service.js';

/** The inbound-webhook sweeper and reconciliation run on repeating schedules kept by the WorkerRunner. */
@Injectable()
export class PaymentsSchedules {
  constructor(runner: WorkerRunner, config: AppConfig) {
    runner.every(QueueName.Payments, JobName.ReconcilePayments, config.reconcileIntervalMs);
    runner.every(
      QueueName.InboundWebhooks,
      JobName.SweepInboundWebhooks,
      config.inboundWebhookSweepIntervalMs,
    );
  }
}
