import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { conflict, notFound } from '../../common/errors/app-error.js';
import { CursorPart, decodeCursor, encodeCursor } from '../../common/pagination/cursor.js';
import { queryRows } from '../../database/sql.js';
import { InboundWebhookEvent } from './inbound-webhook-event.entity.js';
import { WebhookIntakeService } from './webhook-intake.service.js';

/** The event store as admins see it: stored gateway events, newest first, and their replay. */
@Injectable()
export class WebhookEventsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly intake: WebhookIntakeService,
  ) {}

  async list(filter: {
    status?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ events: InboundWebhookEvent[]; nextCursor: string | null }> {
    const [after] = decodeCursor(filter.cursor, [CursorPart.uuid]) ?? [];
    const builder = this.dataSource.getRepository(InboundWebhookEvent).createQueryBuilder('e');
    if (filter.status) builder.andWhere('e.status = :status', { status: filter.status });
    if (after)
      builder.andWhere(
        '(e.received_at, e.id) < (SELECT c.received_at, c.id FROM inbound_webhook_events c WHERE c.id = :after)',
        { after },
      );
    const rows = await builder
      .orderBy('e.receivedAt', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(filter.limit + 1)
      .getMany();
    const page = rows.slice(0, filter.limit);
    return {
      events: page,
      nextCursor: rows.length > filter.limit ? encodeCursor(page[page.length - 1].id) : null,
    };
  }

  /**
   * Records an event learnt by polling the gateway (Flutterwave chargebacks) that names a payment
   * we do not know, parked `unmatched` like a webhook would be, so an admin sees it and can
   * replay it (processing fetches it from the gateway again). Once per gateway and event id.
   */
  async parkUnmatched(input: {
    gateway: string;
    eventId: string;
    type: string;
    normalized: InboundWebhookEvent['normalized'];
    payload: Record<string, unknown>;
    note: string;
  }): Promise<void> {
    await queryRows(
      this.dataSource.manager,
      `INSERT INTO inbound_webhook_events
         (gateway, event_id, type, kind, reference, gateway_payment_id, payload, normalized, headers,
          status, last_error, processed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{}'::jsonb, 'unmatched', $9, now())
       ON CONFLICT DO NOTHING`,
      [
        input.gateway,
        input.eventId.slice(0, 512),
        input.type,
        input.normalized.kind,
        input.normalized.reference ?? null,
        input.normalized.gatewayPaymentId ?? null,
        JSON.stringify(input.payload),
        JSON.stringify(input.normalized),
        input.note.slice(0, 1000),
      ],
    );
  }

  /** Admin replay: back to `received` under a new generation (fresh job id), then enqueued. */
  async replay(eventRowId: string): Promise<InboundWebhookEvent> {
    const rows = await queryRows<{ id: string; generation: number }>(
      this.dataSource.manager,
      `UPDATE inbound_webhook_events
          SET status = 'received', generation = generation + 1, last_error = NULL, processed_at = NULL,
              enqueued_at = NULL, updated_at = now()
        WHERE id = $1 AND status NOT IN ('received', 'processing') AND kind <> 'ignored'
        RETURNING id, generation`,
      [eventRowId],
    );
    const event = await this.dataSource
      .getRepository(InboundWebhookEvent)
      .findOneBy({ id: eventRowId });
    if (!event) throw notFound('Webhook event');
    if (rows.length === 0) {
      if (event.kind === 'ignored')
        throw conflict(
          'EVENT_NOT_REPLAYABLE',
          `A ${event.type} event is not acted on, so there is nothing to replay`,
        );
      throw conflict('EVENT_IN_PROGRESS', 'The event is waiting to be processed already');
    }
    // Answer with the event as replayed, not as re-read after the enqueue: by then its job may
    // already have run it.
    const enqueuedAt = await this.intake.enqueue(rows[0].id, rows[0].generation);
    if (enqueuedAt) event.enqueuedAt = enqueuedAt;
    return event;
  }
}
