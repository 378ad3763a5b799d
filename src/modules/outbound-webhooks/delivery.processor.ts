import { WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { JobName, QueueName } from '../../queue/queue-names.js';
import { QueueProcessor } from '../../queue/queue-processor.decorator.js';
import { type AttemptResult, DeliverySender } from './delivery-sender.service.js';
import type { DeliveryJobData } from './outbox-relay.service.js';

/**
 * Delivery attempts. Jobs are wake-ups: the delivery row decides whether an attempt is due, so a
 * duplicate, late or replayed job does nothing. Concurrency is high because attempts mostly wait
 * on the receiver, holding no database connection meanwhile.
 */
@QueueProcessor(QueueName.WebhookDeliveries, { concurrency: 32 })
export class DeliveryProcessor extends WorkerHost {
  constructor(
    private readonly deliveries: DeliverySender,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  async process(job: Job<DeliveryJobData>): Promise<AttemptResult> {
    if (job.name !== JobName.DeliverWebhook)
      throw new UnrecoverableError(`unexpected job ${job.name}`);
    const result = await this.deliveries.attempt(job.data.deliveryId);
    if (result.outcome === 'attempted') this.metrics.deliveries.inc({ status: result.status });
    else if (result.outcome === 'endpoint-disabled')
      this.metrics.deliveries.inc({ status: 'endpoint_disabled' });
    return result;
  }
}
