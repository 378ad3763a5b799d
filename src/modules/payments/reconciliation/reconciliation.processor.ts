import { WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { JobName, QueueName } from '../../../queue/queue-names.js';
import { QueueProcessor } from '../../../queue/queue-processor.decorator.js';
import { ReconciliationService } from './reconciliation.service.js';

@QueueProcessor(QueueName.Payments, { concurrency: 1 })
export class ReconciliationProcessor extends WorkerHost {
  constructor(private readonly reconciliation: ReconciliationService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.ReconcilePayments:
        return this.reconciliation.reconcileOnce();
      default:
        throw new UnrecoverableError(`unknown job ${job.name} on ${QueueName.Payments}`);
    }
  }
}
