import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { AppConfig } from '../../../config/app-config.js';
import { conflict, notFound } from '../../../common/errors/app-error.js';
import { GatewayRequestError } from '../../gateways/gateway.errors.js';
import { Payment } from '../payment.entity.js';
import { RefundWebhookHooks } from '../refund-webhook.hooks.js';
import { SettlementService, SettlementSource } from '../settlement.service.js';
import { queryRows } from '../../../database/sql.js';
import { InboundEventStatus, InboundWebhookEvent } from './inbound-webhook-event.entity.js';
import { WebhookIntakeService } from './webhook-intake.service.js';

/** Thrown to make BullMQ retry the job with its exponential backoff. */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
}

interface ClaimedRow {
  id: string;
  gateway: string;
  event_id: string;
  type: string;
  kind: InboundWebhookEvent['kind'];
  reference: string | null;
  gateway_payment_id: string | null;
  normalized: InboundWebhookEvent['normalized'];
  generation: number;
  received_at: Date;
}

/** What processing reads of an event, from the claiming UPDATE's RETURNING. */
type ClaimedEvent = Pick<
  InboundWebhookEvent,
  | 'id'
  | 'gateway'
  | 'eventId'
  | 'type'
  | 'kind'
  | 'reference'
  | 'gatewayPaymentId'
  | 'normalized'
  | 'generation'
  | 'receivedAt'
>;

function toClaimedEvent(row: ClaimedRow): ClaimedEvent {
  return {
    id: row.id,
    gateway: row.gateway,
    eventId: row.event_id,
    type: row.type,
    kind: row.kind,
    reference: row.reference,
    gatewayPaymentId: row.gateway_payment_id,
    normalized: row.normalized,
    generation: row.generation,
    receivedAt: row.received_at,
  };
}

interface Finished {
  status: Exclude<InboundEventStatus, 'received' | 'processing'>;
  note?: string;
  paymentId?: string;
}

const DONE: readonly InboundEventStatus[] = ['processed', 'unmatched', 'failed', 'ignored'];

/** Processes one stored inbound event through the settlement path (the job's body). */
@Injectable()
export class InboundWebhookService {
  private readonly logger = new Logger(InboundWebhookService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly settlement: SettlementService,
    private readonly refundHooks: RefundWebhookHooks,
    private readonly intake: WebhookIntakeService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Unknown payment → RetryLaterError until INBOUND_WEBHOOK_UNMATCHED_WINDOW has passed since
   * the event arrived, then parked `unmatched`. Gateway outages → the error propagates (retry with
   * backoff). On the last attempt the event is marked `failed` instead. Events already finished
   * (a duplicate job) are left alone.
   */
  async process(
    eventRowId: string,
    options: { finalAttempt: boolean; source?: SettlementSource },
  ): Promise<InboundEventStatus> {
    // Claim and read in one round trip; an event already finished (a duplicate job) is not touched.
    const claimed = await queryRows<ClaimedRow>(
      this.dataSource.manager,
      `UPDATE inbound_webhook_events SET status = 'processing', attempts = attempts + 1, updated_at = now()
        WHERE id = $1 AND status NOT IN ('processed', 'unmatched', 'failed', 'ignored')
        RETURNING id, gateway, event_id, type, kind, reference, gateway_payment_id, normalized, generation, received_at`,
      [eventRowId],
    );
    if (claimed.length === 0) {
      const event = await this.dataSource
        .getRepository(InboundWebhookEvent)
        .findOneBy({ id: eventRowId });
      return event && DONE.includes(event.status) ? event.status : 'ignored';
    }
    const event = toClaimedEvent(claimed[0]);
    try {
      const finished = await this.handle(
        event,
        options.source ?? (event.generation > 0 ? 'replay' : 'webhook'),
      );
      await this.finish(eventRowId, finished);
      this.observeLatency(event, finished.status);
      return finished.status;
    } catch (error) {
      const message = (error as Error).message.slice(0, 1000);
      if (options.finalAttempt) {
        await this.finish(eventRowId, { status: 'failed', note: `gave up: ${message}` });
        this.observeLatency(event, 'failed');
        this.logger.error(`inbound event ${eventRowId} failed for good: ${message}`);
        return 'failed';
      }
      await this.dataSource.query(
        `UPDATE inbound_webhook_events SET status = 'received', last_error = $2, updated_at = now() WHERE id = $1`,
        [eventRowId, message],
      );
      throw error;
    }
  }

  private async handle(event: ClaimedEvent, source: SettlementSource): Promise<Finished> {
    const normalized = event.normalized;
    if (event.kind === 'refund') return this.handleRefund(event);
    if (event.kind !== 'payment')
      return { status: 'ignored', note: `event type ${event.type} is not acted on` };

    const payment = await this.findPayment(event);
    if (!payment) {
      const what = `no payment with reference ${event.reference ?? '(none)'}${event.gatewayPaymentId ? ` or ${event.gateway} id ${event.gatewayPaymentId}` : ''}`;
      if (this.withinUnmatchedWindow(event)) throw new RetryLaterError(what);
      return { status: 'unmatched', note: what };
    }
    if (payment.gateway !== event.gateway) {
      // A gateway may only speak for its own payments.
      return {
        status: 'ignored',
        note: `payment ${payment.reference} belongs to ${payment.gateway}, not ${event.gateway}`,
        paymentId: payment.id,
      };
    }

    let outcome;
    try {
      outcome = await this.settlement.settle(payment.id, {
        source,
        snapshot: payment,
        inboundEventId: event.id,
        report: normalized.selfAuthenticating
          ? {
              status: normalized.paymentStatus ?? 'pending',
              reference: normalized.reference,
              amount: normalized.amount,
              currency: normalized.currency,
              gatewayPaymentId: normalized.gatewayPaymentId,
            }
          : undefined,
      });
    } catch (error) {
      if (error instanceof GatewayRequestError) {
        // The gateway refused the verify call for good (bad key, bad request): retrying will not help.
        return { status: 'failed', note: error.message, paymentId: payment.id };
      }
      throw error;
    }
    if (outcome.gatewayStatus === 'not_found' && !outcome.changed) {
      if (this.withinUnmatchedWindow(event))
        throw new RetryLaterError(`${event.gateway} does not know ${payment.reference} yet`);
      return {
        status: 'failed',
        note: `${event.gateway} has no transaction ${payment.reference}`,
        paymentId: payment.id,
      };
    }
    if (outcome.contradiction) {
      return {
        status: 'ignored',
        note: `contradicts the ${outcome.from} payment; recorded, not applied`,
        paymentId: payment.id,
      };
    }
    return {
      status: 'processed',
      note: outcome.changed ? undefined : `no change: ${outcome.reason ?? outcome.from}`,
      paymentId: payment.id,
    };
  }

  private async handleRefund(event: ClaimedEvent): Promise<Finished> {
    const handler = this.refundHooks.registered;
    if (!handler) return { status: 'ignored', note: 'no refund handler is registered' };
    const outcome = await handler.handleRefundEvent({
      ...event.normalized,
      gateway: event.gateway,
      inboundEventId: event.id,
    });
    if (outcome.status === 'unmatched' && this.withinUnmatchedWindow(event)) {
      throw new RetryLaterError(outcome.note ?? 'refund not matched yet');
    }
    return { status: outcome.status, note: outcome.note, paymentId: outcome.paymentId };
  }

  private observeLatency(event: ClaimedEvent, outcome: string): void {
    this.metrics.webhookSettleLatency.observe(
      { gateway: event.gateway, outcome },
      (Date.now() - event.receivedAt.getTime()) / 1000,
    );
  }

  private withinUnmatchedWindow(event: ClaimedEvent): boolean {
    return Date.now() - event.receivedAt.getTime() < this.config.inboundWebhookUnmatchedWindowMs;
  }

  private async findPayment(event: ClaimedEvent): Promise<Payment | null> {
    const repo = this.dataSource.getRepository(Payment);
    if (event.reference) {
      const byReference = await repo.findOneBy({ reference: event.reference });
      if (byReference) return byReference;
    }
    if (event.gatewayPaymentId)
      return repo.findOneBy({ gateway: event.gateway, gatewayPaymentId: event.gatewayPaymentId });
    return null;
  }

  private async finish(eventRowId: string, finished: Finished): Promise<void> {
    await this.dataSource.query(
      `UPDATE inbound_webhook_events
          SET status = $2, last_error = $3, payment_id = coalesce($4, payment_id), processed_at = now(), updated_at = now()
        WHERE id = $1`,
      [eventRowId, finished.status, finished.note ?? null, finished.paymentId ?? null],
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
    // already have claimed it (status `processing`).
    const enqueuedAt = await this.intake.enqueue(rows[0].id, rows[0].generation);
    if (enqueuedAt) event.enqueuedAt = enqueuedAt;
    return event;
  }
}
