import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MicroBatcher } from '../../../common/batching/micro-batcher.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { AppConfig } from '../../../config/app-config.js';
import { conflict, notFound } from '../../../common/errors/app-error.js';
import { GatewayRequestError } from '../../gateways/gateway.errors.js';
import { RefundWebhookHooks } from '../refund-webhook.hooks.js';
import {
  type PaymentVersion,
  SettlementService,
  type SettlementSource,
} from '../settlement.service.js';
import { PaymentRows } from '../payment-rows.js';
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
  /** The payment the event names (`to_json` of its row) and its row version; null if none. */
  payment: Record<string, unknown> | null;
  payment_version: string | null;
}

/**
 * Claims events (one already finished, a duplicate job's, is not touched), reads them and finds
 * the payment each names, by reference, else by the gateway's own id, with its row version (see
 * PaymentVersion): one round trip for every job that claims at the same time. Rows are locked in
 * id order, so two claims racing on the same events cannot deadlock. The claim is only a marker,
 * so its commit does not wait for the WAL flush (synchronous_commit off for this transaction
 * alone): if the database loses it in a crash the event is simply `received` again and is
 * processed again; the settlement's own commit still waits, and its flush covers the claim
 * written before it.
 */
const CLAIM_SQL = `WITH wanted AS (
    SELECT id FROM inbound_webhook_events
     WHERE id = ANY($1::uuid[]) AND status NOT IN ('processed', 'unmatched', 'failed', 'ignored')
     ORDER BY id FOR UPDATE),
  claimed AS (
    UPDATE inbound_webhook_events e SET status = 'processing', attempts = attempts + 1, updated_at = now()
      FROM wanted w WHERE e.id = w.id
    RETURNING e.id, e.gateway, e.event_id, e.type, e.kind, e.reference, e.gateway_payment_id, e.normalized,
              e.generation, e.received_at)
  SELECT c.*, found.payment, found.payment_version
    FROM claimed c
    CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
    LEFT JOIN LATERAL (
      SELECT payment, payment_version FROM (
        SELECT 1 AS rank, to_json(p) AS payment, p.xmin::text AS payment_version
          FROM payments p
         WHERE c.kind = 'payment' AND p.reference = c.reference
        UNION ALL
        SELECT 2 AS rank, to_json(p) AS payment, p.xmin::text AS payment_version
          FROM payments p
         WHERE c.kind = 'payment' AND p.gateway = c.gateway AND p.gateway_payment_id = c.gateway_payment_id
      ) candidates ORDER BY rank LIMIT 1
    ) found ON true`;

/**
 * Records outcomes, one round trip for every job finishing at the same time, rows locked in id
 * order. Like the claim, a bookkeeping write whose commit need not wait for the WAL flush: what it
 * reports is already committed (the settlement, or nothing), and if a crash loses it the event is
 * still open, so the sweeper enqueues it again and it finishes again.
 */
const FINISH_SQL = `WITH locked AS (
    SELECT id FROM inbound_webhook_events WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE)
  UPDATE inbound_webhook_events e
     SET status = o.status, last_error = o.note, payment_id = coalesce(o.payment_id, e.payment_id),
         processed_at = now(), updated_at = now()
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) AS o(id, status, note, payment_id),
         locked l, (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
   WHERE e.id = l.id AND o.id = l.id`;

/** Concurrent jobs' claims (and outcomes) written together: at most this many per statement. */
const MAX_BATCH = 64;

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

/** An event's outcome, as FINISH_SQL writes it. */
interface FinishRow {
  id: string;
  status: Finished['status'];
  note: string | null;
  paymentId: string | null;
}

/** Processes one stored inbound event through the settlement path (the job's body). */
@Injectable()
export class InboundWebhookService {
  private readonly logger = new Logger(InboundWebhookService.name);
  private paymentRows?: PaymentRows;
  private readonly claims = new MicroBatcher<string, ClaimedRow | null>(
    (ids) => this.claimBatch(ids),
    { maxBatch: MAX_BATCH, maxInFlight: 2, startIdleAtOnce: true },
  );
  private readonly finishes = new MicroBatcher<FinishRow, void>(
    (outcomes) => this.finishBatch(outcomes),
    { maxBatch: MAX_BATCH, maxInFlight: 2, startIdleAtOnce: true },
  );

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
    // Claim the event, read it and find its payment (with other jobs claiming now); an event
    // already finished (a duplicate job) is not touched.
    const row = await this.claims.submit(eventRowId);
    if (!row) {
      const event = await this.dataSource
        .getRepository(InboundWebhookEvent)
        .findOneBy({ id: eventRowId });
      return event && DONE.includes(event.status) ? event.status : 'ignored';
    }
    const event = toClaimedEvent(row);
    const payment: PaymentVersion | null =
      row.payment && row.payment_version
        ? { payment: this.rows.fromJson(row.payment), version: row.payment_version }
        : null;
    try {
      const finished = await this.handle(
        event,
        payment,
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

  private get rows(): PaymentRows {
    this.paymentRows ??= new PaymentRows(this.dataSource);
    return this.paymentRows;
  }

  private async handle(
    event: ClaimedEvent,
    found: PaymentVersion | null,
    source: SettlementSource,
  ): Promise<Finished> {
    const normalized = event.normalized;
    if (event.kind === 'refund') return this.handleRefund(event);
    if (event.kind !== 'payment')
      return { status: 'ignored', note: `event type ${event.type} is not acted on` };

    const payment = found?.payment;
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
        snapshot: found,
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

  private async finish(eventRowId: string, finished: Finished): Promise<void> {
    await this.finishes.submit({
      id: eventRowId,
      status: finished.status,
      note: finished.note ?? null,
      paymentId: finished.paymentId ?? null,
    });
  }

  private async claimBatch(ids: string[]): Promise<(ClaimedRow | null)[]> {
    const rows = await queryRows<ClaimedRow>(this.dataSource.manager, CLAIM_SQL, [ids]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    // The same event twice in one batch (duplicate jobs): only the first claims it.
    return ids.map((id) => {
      const row = byId.get(id) ?? null;
      byId.delete(id);
      return row;
    });
  }

  private async finishBatch(outcomes: FinishRow[]): Promise<void[]> {
    // One outcome per event: a later one for the same event (a duplicate job) wins.
    const byId = [...new Map(outcomes.map((outcome) => [outcome.id, outcome])).values()];
    await queryRows(this.dataSource.manager, FINISH_SQL, [
      byId.map((outcome) => outcome.id),
      byId.map((outcome) => outcome.status),
      byId.map((outcome) => outcome.note),
      byId.map((outcome) => outcome.paymentId),
    ]);
    return outcomes.map(() => undefined);
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
