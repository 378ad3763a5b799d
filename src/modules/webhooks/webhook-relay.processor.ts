import { WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { JobName, QueueName } from '../../queue/queue-names.js';
import { QueueProcessor } from '../../queue/queue-processor.decorator.js';
import { WebhookRelayService } from './webhook-relay.service.js';

/** The outbox relay and the delivery sweeper, both repeating (see WebhooksModule). */
@QueueProcessor(QueueName.WebhookRelay, { concurrency: 1 })
export class WebhookRelayProcessor extends WorkerHost {
  constructor(private readonly relay: WebhookRelayService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.RelayOutbox:
        return this.relay.relayPending();
      case JobName.SweepDeliveries:
        return { reenqueued: await this.relay.sweep() };
      default:
        throw new UnrecoverableError(`unexpected job ${job.name}`);
    }
  }
}
