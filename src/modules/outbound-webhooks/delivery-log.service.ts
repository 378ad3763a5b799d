import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { conflict, notFound, unprocessable } from '../../common/errors/app-error.js';
import { jobId, JobName, QueueName } from '../../queue/queue-names.js';
import { QueueProducer } from '../../queue/queue-producer.service.js';
import { TEST_EVENT_TYPE, type DeliveryStatus } from './outbound-webhook.types.js';
import { newEventId } from './outbox.service.js';
import { isUuid } from '../../common/validation/uuid.js';
import { queryRows } from '../../database/sql.js';
import type { WebhookDeliveryDetailDto, WebhookDeliveryDto } from './dto/webhook-delivery.dto.js';

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

const DELIVERY_COLUMNS = `d.id, d.event_id, ev.type AS event_type, d.endpoint_id, d.status, d.attempts, d.next_attempt_at,
  d.last_status_code, d.last_error, d.created_at, d.delivered_at`;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function toDeliveryDto(row: DeliveryRow): WebhookDeliveryDto {
  return {
    id: row.id,
    event_id: row.event_id,
    event_type: row.event_type,
    endpoint_id: row.endpoint_id,
    status: row.status,
    attempt_count: row.attempts,
    next_attempt_at: iso(row.next_attempt_at),
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: row.created_at.toISOString(),
    delivered_at: iso(row.delivered_at),
  };
}

export interface DeliveryFilter {
  limit: number;
  offset: number;
  status?: DeliveryStatus;
  endpointId?: string;
}

/**
 * The delivery log as the API shows it (listing, one delivery with its attempts, a retry), scoped
 * to the owner of each delivery's endpoint. DeliverySender is what sends.
 */
@Injectable()
export class DeliveryLogService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly producer: QueueProducer,
  ) {}

  async list(
    userId: string,
    filter: DeliveryFilter,
  ): Promise<{ deliveries: WebhookDeliveryDto[]; total: number }> {
    const params: unknown[] = [userId];
    const where = ['ep.user_id = $1'];
    if (filter.status) {
      params.push(filter.status);
      where.push(`d.status = $${params.length}`);
    }
    if (filter.endpointId) {
      params.push(filter.endpointId);
      where.push(`d.endpoint_id = $${params.length}`);
    }
    const from = `FROM webhook_deliveries d
      JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
      JOIN events ev ON ev.id = d.event_id
      WHERE ${where.join(' AND ')}`;
    const [rows, count] = await Promise.all([
      queryRows<DeliveryRow>(
        this.dataSource.manager,
        `SELECT ${DELIVERY_COLUMNS} ${from} ORDER BY d.created_at DESC, ev.created_at DESC, d.id DESC
         LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filter.limit, filter.offset],
      ),
      queryRows<{ total: number }>(
        this.dataSource.manager,
        `SELECT count(*)::int AS total ${from}`,
        params,
      ),
    ]);
    return { deliveries: rows.map(toDeliveryDto), total: count[0].total };
  }

  async get(userId: string, id: string): Promise<WebhookDeliveryDetailDto> {
    const delivery = await this.find(userId, id);
    const attempts = await queryRows<{
      attempt_number: number;
      status_code: number | null;
      duration_ms: number;
      error: string | null;
      response_excerpt: string | null;
      requested_at: Date;
    }>(
      this.dataSource.manager,
      `SELECT attempt_number, status_code, duration_ms, error, response_excerpt, requested_at
         FROM webhook_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt_number`,
      [id],
    );
    return Object.assign(delivery, {
      attempts: attempts.map((row) => ({
        attempt: row.attempt_number,
        status_code: row.status_code,
        duration_ms: row.duration_ms,
        error: row.error,
        response_excerpt: row.response_excerpt,
        requested_at: row.requested_at.toISOString(),
      })),
    });
  }

  /**
   * Schedules one more attempt now, with the same webhook-id. A delivery that already got its 2xx
   * is redelivered only with `force` (409 otherwise); it stays `succeeded` whatever that attempt
   * gets. An attempt of a failed delivery that fails again leaves it failed.
   */
  async retry(userId: string, id: string, force: boolean): Promise<WebhookDeliveryDto> {
    if (!isUuid(id)) throw notFound('Webhook delivery');
    await this.dataSource.transaction(async (manager) => {
      const rows = await queryRows<{ status: DeliveryStatus; enabled: boolean }>(
        manager,
        `SELECT d.status, ep.enabled FROM webhook_deliveries d
           JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
          WHERE d.id = $1 AND ep.user_id = $2
          FOR UPDATE OF d`,
        [id, userId],
      );
      if (rows.length === 0) throw notFound('Webhook delivery');
      if (rows[0].status === 'succeeded' && !force) {
        throw conflict(
          'DELIVERY_ALREADY_SUCCEEDED',
          'This delivery already received a 2xx; send {"force": true} to deliver it again',
        );
      }
      if (!rows[0].enabled) {
        throw unprocessable(
          'WEBHOOK_ENDPOINT_DISABLED',
          'The endpoint is disabled; enable it before retrying',
        );
      }
      await queryRows(
        manager,
        `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now() WHERE id = $1`,
        [id],
      );
    });
    // After commit; if Redis is down the sweeper finds the row due and enqueues it.
    await this.producer.tryEnqueue(
      QueueName.WebhookDeliveries,
      JobName.DeliverWebhook,
      { deliveryId: id },
      { jobId: jobId(id, 'manual', Date.now()) },
    );
    return this.find(userId, id);
  }

  /**
   * POST /webhook-endpoints/{id}/test: a signed `webhook.test` event for this endpoint alone,
   * sent at once by the delivery worker and listed in the delivery log like any other. The event
   * is written already relayed, so the relay never fans it out to the owner's other endpoints.
   */
  async sendTest(userId: string, endpointId: string): Promise<WebhookDeliveryDto> {
    if (!isUuid(endpointId)) throw notFound('Webhook endpoint');
    const deliveryId = await this.dataSource.transaction(async (manager) => {
      const endpoints = await queryRows<{ enabled: boolean }>(
        manager,
        `SELECT enabled FROM webhook_endpoints WHERE id = $1 AND user_id = $2`,
        [endpointId, userId],
      );
      if (endpoints.length === 0) throw notFound('Webhook endpoint');
      if (!endpoints[0].enabled) {
        throw unprocessable(
          'WEBHOOK_ENDPOINT_DISABLED',
          'The endpoint is disabled; enable it before sending a test event',
        );
      }
      const eventId = newEventId();
      const rows = await queryRows<{ id: string }>(
        manager,
        `WITH event AS (
           INSERT INTO events (id, user_id, type, data, created_at, relayed_at)
           VALUES ($1, $2, $3, $4, now(), now())
           RETURNING id
         )
         INSERT INTO webhook_deliveries (event_id, endpoint_id, status, next_attempt_at)
         SELECT id, $5, 'pending', now() FROM event
         RETURNING id`,
        [
          eventId,
          userId,
          TEST_EVENT_TYPE,
          JSON.stringify({
            endpoint_id: endpointId,
            message: 'A test event sent from the API; it reports nothing that happened.',
          }),
          endpointId,
        ],
      );
      return rows[0].id;
    });
    // After commit; if Redis is down the sweeper finds the row due and enqueues it.
    await this.producer.tryEnqueue(
      QueueName.WebhookDeliveries,
      JobName.DeliverWebhook,
      { deliveryId },
      { jobId: jobId(deliveryId, 1) },
    );
    return this.find(userId, deliveryId);
  }

  private async find(userId: string, id: string): Promise<WebhookDeliveryDto> {
    if (!isUuid(id)) throw notFound('Webhook delivery');
    const rows = await queryRows<DeliveryRow>(
      this.dataSource.manager,
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d
         JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
         JOIN events ev ON ev.id = d.event_id
        WHERE d.id = $1 AND ep.user_id = $2`,
      [id, userId],
    );
    if (rows.length === 0) throw notFound('Webhook delivery');
    return toDeliveryDto(rows[0]);
  }
}
