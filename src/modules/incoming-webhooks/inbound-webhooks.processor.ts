import { WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { JobName, QueueName } from '../../queue/queue-names.js';
import { QueueProcessor } from '../../queue/queue-processor.decorator.js';
import type { ProcessInboundWebhookJob } from './inbound-webhook-jobs.js';
import { InboundWebhookSweeper } from './inbound-webhook-sweeper.js';
import { InboundWebhookService } from './inbound-webhook.service.js';

/**
 * Jobs spend most of their time waiting (the gateway's verify call, database round trips) and the
 * settlement transaction itself is short: 16 at a time (the default is 8) keep a worker busy
 * without queueing on its connection pool (DATABASE_POOL_SIZE, 20 by default).
 */
@QueueProcessor(QueueName.InboundWebhooks, { concurrency: 16 })
export class InboundWebhooksProcessor extends WorkerHost {
  constructor(
    private readonly inbound: InboundWebhookService,
    private readonly sweeper: InboundWebhookSweeper,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.ProcessInboundWebhook: {
        const data = job.data as ProcessInboundWebhookJob;
        const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        return this.inbound.process(data.inboundEventId, { finalAttempt });
      }
      case JobName.SweepInboundWebhooks:
        return this.sweeper.sweep();
      default:
        throw new UnrecoverableError(`unknown job ${job.name} on ${QueueName.InboundWebhooks}`);
    }
  }
}
