import { WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { JobName, QueueName } from '../../queue/queue-names.js';
import { QueueProcessor } from '../../queue/queue-processor.decorator.js';
import { PayoutExecutionService } from './payout-execution.service.js';
import type { ProcessPayoutJob } from './payout-jobs.js';
import { PayoutReconciliationService } from './payout-reconciliation.service.js';

@QueueProcessor(QueueName.Payouts)
export class PayoutsProcessor extends WorkerHost {
  constructor(
    private readonly execution: PayoutExecutionService,
    private readonly reconciliation: PayoutReconciliationService,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.ProcessPayout:
        return this.execution.process((job.data as ProcessPayoutJob).payoutId);
      case JobName.ReconcilePayouts:
        return this.reconciliation.reconcileOnce();
      default:
        throw new UnrecoverableError(`unknown job ${job.name} on ${QueueName.Payouts}`);
    }
  }
}
