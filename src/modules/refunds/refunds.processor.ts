import { WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { JobName, QueueName } from '../../queue/queue-names.js';
import { QueueProcessor } from '../../queue/queue-processor.decorator.js';
import type { ProcessRefundJob } from './refund-jobs.js';
import { RefundExecutionService } from './refund-execution.service.js';
import { RefundReconciliationService } from './refund-reconciliation.service.js';

@QueueProcessor(QueueName.Refunds)
export class RefundsProcessor extends WorkerHost {
  constructor(
    private readonly execution: RefundExecutionService,
    private readonly reconciliation: RefundReconciliationService,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.ProcessRefund:
        return this.execution.process((job.data as ProcessRefundJob).refundId);
      case JobName.ReconcileRefunds:
        return this.reconciliation.reconcileOnce();
      default:
        throw new UnrecoverableError(`unknown job ${job.name} on ${QueueName.Refunds}`);
    }
  }
}
