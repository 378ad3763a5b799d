import { WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { JobName, QueueName } from '../../queue/queue-names.js';
import { QueueProcessor } from '../../queue/queue-processor.decorator.js';
import { OutboxRelayService } from './outbox-relay.service.js';

/** The outbox relay and the delivery sweeper, both repeating (see OutboundWebhooksModule). */
@QueueProcessor(QueueName.WebhookRelay, { concurrency: 1 })
export class OutboxRelayProcessor extends WorkerHost {
  constructor(private readonly relay: OutboxRelayService) {
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
