import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MicroBatcher } from '../../common/batching/micro-batcher.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { AppConfig } from '../../config/app-config.js';
import { GatewayRequestError } from '../gateways/gateway.errors.js';
import { AppEvents } from '../events/app-events.js';
import {
  type PaymentVersion,
  SettlementService,
  type SettlementSource,
} from '../payments/settlement/settlement.service.js';
import { PaymentRows } from '../payments/settlement/payment-rows.js';
import { queryRows } from '../../database/sql.js';
import { InboundEventStatus, InboundWebhookEvent } from './inbound-webhook-event.entity.js';

/** Thrown to make BullMQ retry the job with its exponential backoff. */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
}

interface OpenEventRow {
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
  status: InboundEventStatus;
  /** The payment the event names (`to_json` of its row) and its row version; null if none. */
  payment: Record<string, unknown> | null;
  payment_version: string | null;
}

/**
 * Reads events and finds the payment each names, by reference, else by the gateway's own id, with
 * its row version (see PaymentVersion): one round trip for every job starting at the same time.
 * Nothing is written: an event is open until its outcome is (FINISH_SQL), so a worker that dies
 * part-way leaves it open for its job's retry or the sweeper, and a second job for an event
 * already finished (a duplicate) sees its status and leaves it alone. Writing a `processing`
 * mark first cost an UPDATE of the whole row and of every index on it, per event.
 */
const READ_SQL = `SELECT e.id, e.gateway, e.event_id, e.type, e.kind, e.reference, e.gateway_payment_id,
         e.normalized, e.generation, e.received_at, e.status, found.payment, found.payment_version
    FROM inbound_webhook_events e
    LEFT JOIN LATERAL (
      SELECT payment, payment_version FROM (
        SELECT 1 AS rank, to_json(p) AS payment, p.xmin::text AS payment_version
          FROM payments p
         WHERE e.kind = 'payment' AND p.reference = e.reference
        UNION ALL
        SELECT 2 AS rank, to_json(p) AS payment, p.xmin::text AS payment_version
          FROM payments p
         WHERE e.kind = 'payment' AND p.gateway = e.gateway AND p.gateway_payment_id = e.gateway_payment_id
      ) candidates ORDER BY rank LIMIT 1
    ) found ON true
   WHERE e.id = ANY($1::uuid[])`;

/**
 * Records outcomes, one round trip for every job finishing at the same time, rows locked in id
 * order. A bookkeeping write whose commit need not wait for the WAL flush (synchronous_commit off
 * for this transaction alone): what it reports is already committed (the settlement, or nothing),
 * and if a crash loses it the event is still open, so the sweeper enqueues it again and it
 * finishes again.
 */
const FINISH_SQL = `WITH locked AS (
    SELECT id FROM inbound_webhook_events WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE)
  UPDATE inbound_webhook_events e
     SET status = o.status, last_error = o.note, payment_id = coalesce(o.payment_id, e.payment_id),
         attempts = e.attempts + 1, processed_at = now(), updated_at = now()
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) AS o(id, status, note, payment_id),
         locked l, (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
   WHERE e.id = l.id AND o.id = l.id`;

/** Concurrent jobs' reads (and outcomes) go together: at most this many per statement. */
const MAX_BATCH = 64;

/** What processing reads of an event (READ_SQL). */
type OpenEvent = Pick<
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

function toOpenEvent(row: OpenEventRow): OpenEvent {
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
  status: (typeof DONE)[number];
  note?: string;
  paymentId?: string;
  /** Already recorded, by the settlement that wrote the payment's transition. */
  recorded?: boolean;
}

const DONE = ['processed', 'unmatched', 'failed', 'ignored'] as const;

function isDone(status: InboundEventStatus): status is (typeof DONE)[number] {
  return (DONE as readonly InboundEventStatus[]).includes(status);
}

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
  private readonly reads = new MicroBatcher<string, OpenEventRow | null>(
    (ids) => this.readBatch(ids),
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
    private readonly events: AppEvents,
    private readonly metrics: MetricsService,
    private readonly rows: PaymentRows,
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
    // Read the event and find its payment (with other jobs starting now); an event already
    // finished (a duplicate job) is left alone.
    const row = await this.reads.submit(eventRowId);
    if (!row) return 'ignored';
    if (isDone(row.status)) return row.status;
    const event = toOpenEvent(row);
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
      if (!finished.recorded) await this.finish(eventRowId, finished);
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
      // Still open; status unchanged, so no index moves (a HOT update).
      await queryRows(
        this.dataSource.manager,
        `UPDATE inbound_webhook_events SET last_error = $2, attempts = attempts + 1, updated_at = now() WHERE id = $1`,
        [eventRowId, message],
      );
      throw error;
    }
  }

  private async handle(
    event: OpenEvent,
    found: PaymentVersion | null,
    source: SettlementSource,
  ): Promise<Finished> {
    const normalized = event.normalized;
    if (event.kind === 'refund') return this.handleRefund(event);
    if (event.kind === 'payout') return this.handlePayout(event);
    if (event.kind === 'dispute') return this.handleDispute(event);
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
        closesInboundEvent: true,
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
    if (outcome.changed) return { status: 'processed', paymentId: payment.id, recorded: true };
    return {
      status: 'processed',
      note: `no change: ${outcome.reason ?? outcome.from}`,
      paymentId: payment.id,
    };
  }

  private async handleRefund(event: OpenEvent): Promise<Finished> {
    const outcomes = await this.events.emit('inbound-webhook.refund', {
      ...event.normalized,
      gateway: event.gateway,
      inboundEventId: event.id,
    });
    if (outcomes.length > 1) throw new Error('more than one handler applied a refund webhook');
    const [outcome] = outcomes;
    if (!outcome) return { status: 'ignored', note: 'no refund handler is registered' };
    if (outcome.status === 'unmatched' && this.withinUnmatchedWindow(event)) {
      throw new RetryLaterError(outcome.note ?? 'refund not matched yet');
    }
    return { status: outcome.status, note: outcome.note, paymentId: outcome.paymentId };
  }

  private async handlePayout(event: OpenEvent): Promise<Finished> {
    const outcomes = await this.events.emit('inbound-webhook.payout', {
      ...event.normalized,
      gateway: event.gateway,
      inboundEventId: event.id,
    });
    if (outcomes.length > 1) throw new Error('more than one handler applied a payout webhook');
    const [outcome] = outcomes;
    if (!outcome) return { status: 'ignored', note: 'no payout handler is registered' };
    if (outcome.status === 'unmatched' && this.withinUnmatchedWindow(event)) {
      throw new RetryLaterError(outcome.note ?? 'payout not matched yet');
    }
    return { status: outcome.status, note: outcome.note };
  }

  private async handleDispute(event: OpenEvent): Promise<Finished> {
    const outcomes = await this.events.emit('inbound-webhook.dispute', {
      ...event.normalized,
      gateway: event.gateway,
      inboundEventId: event.id,
    });
    if (outcomes.length > 1) throw new Error('more than one handler applied a dispute webhook');
    const [outcome] = outcomes;
    if (!outcome) return { status: 'ignored', note: 'no dispute handler is registered' };
    if (outcome.status === 'unmatched' && this.withinUnmatchedWindow(event)) {
      throw new RetryLaterError(outcome.note ?? 'dispute not matched yet');
    }
    return { status: outcome.status, note: outcome.note, paymentId: outcome.paymentId };
  }

  private observeLatency(event: OpenEvent, outcome: string): void {
    this.metrics.webhookSettleLatency.observe(
      { gateway: event.gateway, outcome },
      (Date.now() - event.receivedAt.getTime()) / 1000,
    );
  }

  private withinUnmatchedWindow(event: OpenEvent): boolean {
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

  private async readBatch(ids: string[]): Promise<(OpenEventRow | null)[]> {
    const rows = await queryRows<OpenEventRow>(this.dataSource.manager, READ_SQL, [ids]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
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
}
