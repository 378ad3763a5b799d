import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { MicroBatcher } from '../../common/batching/micro-batcher.js';
import { AppError, notFound, serviceUnavailable } from '../../common/errors/app-error.js';
import { type HeaderSink, RateLimits } from '../../common/rate-limit/rate-limits.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { QueueProducer } from '../../queue/queue-producer.service.js';
import { currentRequestId } from '../../common/request/request-context.js';
import { JobName, QueueName } from '../../queue/queue-names.js';
import type {
  InboundWebhookRequest,
  GatewayName,
  NormalizedWebhookEvent,
  PaymentGateway,
} from '../gateways/gateway.interface.js';
import { withoutCardData } from '../gateways/card-data.js';
import { GatewayRegistry } from '../gateways/gateway.registry.js';
import { queryRows } from '../../database/sql.js';
import { inboundJobOptions, ProcessInboundWebhookJob } from './inbound-webhook-jobs.js';
import { headersWithoutSecrets, singleValued } from './webhook-headers.js';
import { WebhookVerificationMemo } from './webhook-verification-memo.js';

/** The longest event id, reference or gateway payment id an inbound webhook may carry. */
export const MAX_WEBHOOK_ID_LENGTH = 255;

/** Who posted a webhook, as rate limits see it. */
export interface WebhookClient {
  /** The client address (common/rate-limit/client-ip.ts). */
  ip: string;
  /** Where X-RateLimit-* headers go. */
  response?: HeaderSink;
}

/** Answers that mean the sender was not proven: counted against the client address, not the gateway. */
const UNVERIFIED_STATUSES: ReadonlySet<number> = new Set([
  HttpStatus.UNAUTHORIZED,
  HttpStatus.NOT_FOUND,
  HttpStatus.UNPROCESSABLE_ENTITY,
]);

export interface IntakeResult {
  duplicate: boolean;
  eventId: string;
}

/** One inbound_webhook_events row as the batch INSERT takes it (snake_case: the JSON keys are the columns). */
interface EventRow {
  /** Not a column: the request that brought the event, carried by its job. */
  request_id?: string;
  gateway: string;
  event_id: string;
  type: string;
  kind: string;
  reference: string | null;
  gateway_payment_id: string | null;
  /** The body as signed, minus card data and reusable tokens (withoutCardData). */
  payload: Record<string, unknown>;
  normalized: NormalizedWebhookEvent;
  headers: Record<string, string>;
  status: string;
}

interface StoredRow {
  id: string;
  generation: number;
}

/** Concurrent webhooks stored together: at most this many rows per INSERT. */
const MAX_BATCH = 100;
/** INSERT batches in flight at once, each holding one pooled connection. */
const MAX_IN_FLIGHT = 4;

/**
 * Receives a gateway webhook: proves the sender on the raw bytes first (401, nothing stored), then
 * counts it against its gateway's rate limit; a request that is not proven (401, an unknown or
 * disabled gateway) counts against its client address instead, so forged traffic never uses up
 * the real gateway's limit. It stores the event under its unique (gateway, event id) before answering (503 when the database
 * cannot take it, so the gateway retries), then tries to enqueue its job. Redis being down does not
 * fail the request: the enqueue gives up fast and the sweeper enqueues later.
 */
@Injectable()
export class WebhookIntakeService {
  private readonly logger = new Logger(WebhookIntakeService.name);
  private readonly inserts = new MicroBatcher<EventRow, StoredRow | Error | undefined>(
    (rows) => this.storeBatch(rows),
    {
      maxBatch: MAX_BATCH,
      maxInFlight: MAX_IN_FLIGHT,
    },
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: GatewayRegistry,
    private readonly producer: QueueProducer,
    private readonly metrics: MetricsService,
    private readonly limits: RateLimits,
    private readonly verification: WebhookVerificationMemo,
  ) {}

  /**
   * `parsedBody`, when given, must be `JSON.parse(rawBody.toString('utf8'))` (the lean route has
   * already parsed the body to check it); it saves parsing the body once more for the stored payload.
   */
  async receive(
    gateway: string,
    rawBody: Buffer | undefined,
    headers: Record<string, string | string[] | undefined>,
    client: WebhookClient,
    parsedBody?: unknown,
  ): Promise<IntakeResult> {
    if (!this.registry.isKnown(gateway)) {
      await this.limits.countUnverified(client.ip, client.response);
      throw notFound('Webhook route');
    }
    try {
      const result = await this.store(gateway, rawBody, headers, client, parsedBody);
      this.metrics.webhooksReceived.inc({ gateway, duplicate: String(result.duplicate) });
      return result;
    } catch (error) {
      this.metrics.webhooksRejected.inc({
        gateway,
        code: error instanceof AppError ? error.code : 'INTERNAL_ERROR',
      });
      throw error;
    }
  }

  private async store(
    gateway: GatewayName,
    rawBody: Buffer | undefined,
    headers: Record<string, string | string[] | undefined>,
    client: WebhookClient,
    parsedBody: unknown,
  ): Promise<IntakeResult> {
    const request: InboundWebhookRequest = {
      rawBody: rawBody ?? Buffer.alloc(0),
      headers: singleValued(headers),
    };
    const adapter = await this.verifySender(gateway, request, client);
    await this.limits.countWebhook(gateway, client.response);

    let event: NormalizedWebhookEvent;
    let payload: Record<string, unknown>;
    try {
      event = adapter.parseWebhook(request);
      // Ids are index keys and lookup values: one longer than gateways write cannot be stored
      // (it failed as a 503, retried forever) and is not an event of the gateway.
      for (const [name, value] of [
        ['event id', event.eventId],
        ['reference', event.reference],
        ['payment id', event.gatewayPaymentId],
      ] as const) {
        if (value !== undefined && value !== null && value.length > MAX_WEBHOOK_ID_LENGTH)
          throw new Error(`its ${name} is longer than ${MAX_WEBHOOK_ID_LENGTH} characters`);
      }
      // Card data and reusable tokens are never stored: what processing needs is in `event`.
      payload = withoutCardData(
        parsedBody ?? JSON.parse(request.rawBody.toString('utf8')),
      ) as Record<string, unknown>;
    } catch (error) {
      throw new AppError(
        HttpStatus.BAD_REQUEST,
        'MALFORMED_WEBHOOK',
        `The webhook body is not a ${gateway} event: ${(error as Error).message}`,
      );
    }

    let inserted: StoredRow | Error | undefined;
    try {
      inserted = await this.inserts.submit({
        request_id: currentRequestId(),
        gateway,
        event_id: event.eventId,
        type: event.type,
        kind: event.kind,
        reference: event.reference ?? null,
        gateway_payment_id: event.gatewayPaymentId ?? null,
        payload,
        normalized: event,
        headers: headersWithoutSecrets(headers),
        status: event.kind === 'ignored' ? 'ignored' : 'received',
      });
      if (inserted instanceof Error) throw inserted;
    } catch (error) {
      this.logger.error(
        `could not store a ${gateway} webhook (${(error as Error).message}); answering 503 so it is retried`,
      );
      throw serviceUnavailable(
        'SERVICE_UNAVAILABLE',
        'The webhook could not be stored right now; retry later',
      );
    }
    return { duplicate: !inserted, eventId: event.eventId };
  }

  /**
   * The gateway's adapter once it has proven the sender. A gateway whose check calls out (PayPal)
   * is called at most once per event id (WebhookVerificationMemo), and not at all for an address
   * already over its limit of unverified requests.
   */
  private async verifySender(
    gateway: GatewayName,
    request: InboundWebhookRequest,
    client: WebhookClient,
  ): Promise<PaymentGateway> {
    try {
      const adapter = this.registry.get(gateway);
      const claim = adapter.remoteWebhookClaim?.(request);
      if (!claim) {
        await adapter.verifyWebhook(request);
        return adapter;
      }
      this.limits.refuseIfOverUnverifiedLimit(client.ip);
      await this.verification.verifyOnce(gateway, claim, request, () =>
        adapter.verifyWebhook(request),
      );
      return adapter;
    } catch (error) {
      if (error instanceof AppError && UNVERIFIED_STATUSES.has(error.status))
        await this.limits.countUnverified(client.ip, client.response);
      throw error;
    }
  }

  /**
   * Stores a batch (see insertRows), then enqueues the jobs of the events it stored, in one round
   * trip to Redis; each caller answers once both are done. Redis being down fails nothing: the
   * enqueue gives up fast and the sweeper enqueues later. No `enqueued_at` is written: for a fresh
   * event the sweeper's coalesce(enqueued_at, received_at) is the same moment either way.
   */
  private async storeBatch(rows: EventRow[]): Promise<(StoredRow | Error | undefined)[]> {
    const stored = await this.insertBatch(rows);
    const jobs = rows.flatMap((row, i) => {
      const event = stored[i];
      if (!event || event instanceof Error || row.kind === 'ignored') return [];
      return [
        {
          name: JobName.ProcessInboundWebhook,
          data: { inboundEventId: event.id } satisfies ProcessInboundWebhookJob,
          options: inboundJobOptions(this.config, event.id, event.generation),
          requestId: row.request_id,
        },
      ];
    });
    await this.producer.tryEnqueueMany(QueueName.InboundWebhooks, jobs);
    return stored;
  }

  /**
   * Stores concurrent webhooks with one multi-row INSERT (one round trip and one commit for the
   * batch); each caller still answers only after its own row is committed. Rows go in sorted by
   * key so two batches racing on the same events take the unique-index locks in the same order
   * (no deadlock); a key twice in one batch is stored once and the later copy is a duplicate.
   */
  private async insertBatch(rows: EventRow[]): Promise<(StoredRow | Error | undefined)[]> {
    const keyOf = (row: EventRow): string => `${row.gateway}\u0000${row.event_id}`;
    const unique = [...new Map(rows.map((row) => [keyOf(row), row])).values()].sort((a, b) =>
      keyOf(a) < keyOf(b) ? -1 : 1,
    );
    let stored: (StoredRow & { gateway: string; event_id: string })[];
    try {
      stored = await this.insertRows(unique);
    } catch (error) {
      if (unique.length === 1) throw error;
      // One bad row must not fail the others: store each on its own, failing only those that fail.
      const settled = await Promise.allSettled(unique.map((row) => this.insertRows([row])));
      stored = settled.flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
      const failed = new Set(unique.filter((_, i) => settled[i].status === 'rejected').map(keyOf));
      const reason = settled.find((result) => result.status === 'rejected')?.reason as unknown;
      const byKeyAlone = new Map(
        stored.map((row) => [
          `${row.gateway}\u0000${row.event_id}`,
          { id: row.id, generation: row.generation },
        ]),
      );
      return rows.map((row) => {
        const key = keyOf(row);
        if (failed.has(key)) return reason instanceof Error ? reason : new Error(String(reason));
        const hit = byKeyAlone.get(key);
        byKeyAlone.delete(key);
        return hit;
      });
    }
    const byKey = new Map(
      stored.map((row) => [
        `${row.gateway}\u0000${row.event_id}`,
        { id: row.id, generation: row.generation },
      ]),
    );
    // Only the first caller with a key gets the stored row; any later one in this batch is a duplicate.
    return rows.map((row) => {
      const key = keyOf(row);
      const hit = byKey.get(key);
      byKey.delete(key);
      return hit;
    });
  }

  private insertRows(
    rows: EventRow[],
  ): Promise<(StoredRow & { gateway: string; event_id: string })[]> {
    return queryRows<StoredRow & { gateway: string; event_id: string }>(
      this.dataSource.manager,
      `INSERT INTO inbound_webhook_events
         (gateway, event_id, type, kind, reference, gateway_payment_id, payload, normalized, headers, status)
       SELECT gateway, event_id, type, kind, reference, gateway_payment_id, payload, normalized, headers, status
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (
                gateway text, event_id text, type text, kind text, reference text, gateway_payment_id text,
                payload jsonb, normalized jsonb, headers jsonb, status text))
              WITH ORDINALITY AS r(gateway, event_id, type, kind, reference, gateway_payment_id, payload, normalized, headers, status, ord)
        ORDER BY ord
       ON CONFLICT (gateway, event_id) DO NOTHING
       RETURNING id, generation, gateway, event_id`,
      [JSON.stringify(rows.map(({ request_id: _requestId, ...columns }) => columns))],
    );
  }

  /**
   * Enqueues an event's job and marks it enqueued (admin replay: the event was received long ago,
   * so the mark keeps the sweeper from checking on it for a sweep interval). Best effort: null when
   * Redis is unavailable (the sweeper will enqueue it); otherwise when it was marked.
   */
  async enqueue(rowId: string, generation: number): Promise<Date | null> {
    const queued = await this.producer.tryEnqueue<ProcessInboundWebhookJob>(
      QueueName.InboundWebhooks,
      JobName.ProcessInboundWebhook,
      { inboundEventId: rowId },
      inboundJobOptions(this.config, rowId, generation),
    );
    if (!queued) return null;
    const marked = await queryRows<{ enqueued_at: Date }>(
      this.dataSource.manager,
      `UPDATE inbound_webhook_events SET enqueued_at = now() WHERE id = $1 RETURNING enqueued_at`,
      [rowId],
    ).catch((error: unknown) => {
      this.logger.warn(`could not mark ${rowId} enqueued: ${(error as Error).message}`);
      return [];
    });
    return marked[0]?.enqueued_at ?? new Date();
  }
}
