import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config.js';
import { AppError, notFound, serviceUnavailable } from '../../../common/errors/app-error.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { QueueProducer } from '../../../queue/queue-producer.service.js';
import { JobName, QueueName } from '../../../queue/queue-names.js';
import type { InboundWebhookRequest, NormalizedWebhookEvent } from '../../gateways/gateway.interface.js';
import { GatewayRegistry } from '../../gateways/gateway.registry.js';
import { queryRows } from '../../../database/sql.js';
import { inboundJobOptions, ProcessInboundWebhookJob } from './inbound-webhook-jobs.js';
import { headersWithoutSecrets, singleValued } from './webhook-headers.js';

export interface IntakeResult {
  duplicate: boolean;
  eventId: string;
}

/**
 * Receives a gateway webhook: proves the sender on the raw bytes first (401, nothing stored),
 * stores the event under its unique (gateway, event id) before answering (503 when the database
 * cannot take it, so the gateway retries), then tries to enqueue its job. Redis being down does not
 * fail the request: the enqueue gives up fast and the sweeper enqueues later.
 */
@Injectable()
export class WebhookIntakeService {
  private readonly logger = new Logger(WebhookIntakeService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: GatewayRegistry,
    private readonly producer: QueueProducer,
    private readonly metrics: MetricsService,
  ) {}

  async receive(gateway: string, rawBody: Buffer | undefined, headers: Record<string, string | string[] | undefined>): Promise<IntakeResult> {
    if (!this.registry.isKnown(gateway)) throw notFound('Webhook route');
    try {
      const result = await this.store(gateway, rawBody, headers);
      this.metrics.webhooksReceived.inc({ gateway, duplicate: String(result.duplicate) });
      return result;
    } catch (error) {
      this.metrics.webhooksRejected.inc({ gateway, code: error instanceof AppError ? error.code : 'INTERNAL_ERROR' });
      throw error;
    }
  }

  private async store(gateway: string, rawBody: Buffer | undefined, headers: Record<string, string | string[] | undefined>): Promise<IntakeResult> {
    if (!this.registry.isKnown(gateway)) throw notFound('Webhook route');
    const adapter = this.registry.get(gateway);
    const request: InboundWebhookRequest = { rawBody: rawBody ?? Buffer.alloc(0), headers: singleValued(headers) };
    await adapter.verifyWebhook(request);

    let event: NormalizedWebhookEvent;
    let payload: Record<string, unknown>;
    try {
      event = adapter.parseWebhook(request);
      payload = JSON.parse(request.rawBody.toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new AppError(HttpStatus.BAD_REQUEST, 'MALFORMED_WEBHOOK', `The webhook body is not a ${gateway} event: ${(error as Error).message}`);
    }

    let inserted: { id: string; generation: number } | undefined;
    try {
      const rows = await queryRows<{ id: string; generation: number }>(
        this.dataSource.manager,
        `INSERT INTO inbound_webhook_events
           (gateway, event_id, type, kind, reference, gateway_payment_id, payload, normalized, headers, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (gateway, event_id) DO NOTHING
         RETURNING id, generation`,
        [
          gateway,
          event.eventId,
          event.type,
          event.kind,
          event.reference ?? null,
          event.gatewayPaymentId ?? null,
          JSON.stringify(payload),
          JSON.stringify(event),
          JSON.stringify(headersWithoutSecrets(headers)),
          event.kind === 'ignored' ? 'ignored' : 'received',
        ],
      );
      inserted = rows[0];
    } catch (error) {
      this.logger.error(`could not store a ${gateway} webhook (${(error as Error).message}); answering 503 so it is retried`);
      throw serviceUnavailable('SERVICE_UNAVAILABLE', 'The webhook could not be stored right now; retry later');
    }
    if (!inserted) return { duplicate: true, eventId: event.eventId };
    if (event.kind !== 'ignored') await this.enqueue(inserted.id, inserted.generation);
    return { duplicate: false, eventId: event.eventId };
  }

  /** Best effort: false when Redis is unavailable (the sweeper will enqueue it). */
  async enqueue(rowId: string, generation: number): Promise<boolean> {
    const queued = await this.producer.tryEnqueue<ProcessInboundWebhookJob>(
      QueueName.InboundWebhooks,
      JobName.ProcessInboundWebhook,
      { inboundEventId: rowId },
      inboundJobOptions(this.config, rowId, generation),
    );
    if (queued) {
      await this.dataSource
        .query(`UPDATE inbound_webhook_events SET enqueued_at = now() WHERE id = $1`, [rowId])
        .catch((error: unknown) => this.logger.warn(`could not mark ${rowId} enqueued: ${(error as Error).message}`));
    }
    return queued;
  }
}
