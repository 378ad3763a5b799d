import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { jobId, JobName, QueueName } from '../../queue/queue-names.js';
import { QueueProducer } from '../../queue/queue-producer.service.js';
import { withJitter } from './retry-policy.js';
import { queryRows } from '../../database/sql.js';

/** Events fanned out per transaction; several workers take disjoint batches (SKIP LOCKED). */
export const RELAY_BATCH_SIZE = 500;
/** Batches one relay run takes before yielding to the next run. */
const RELAY_MAX_BATCHES = 40;
/** A pending delivery this overdue has lost its job (Redis outage, killed worker): enqueue again. */
export const SWEEP_GRACE_MS = 10_000;
const SWEEP_BATCH_SIZE = 1_000;
/** Sweeper job ids repeat within this window, so overlapping sweeps do not pile up duplicates. */
const SWEEP_DEDUP_WINDOW_MS = 30_000;

export interface DeliveryJobData {
  deliveryId: string;
}

export interface DeliveryToEnqueue {
  id: string;
  /** The attempt the job is for (1 = first). */
  attempt: number;
  delayMs: number;
}

/** Turns committed outbox rows into deliveries, and makes sure every due delivery has a job. */
@Injectable()
export class OutboxRelayService {
  private readonly logger = new Logger(OutboxRelayService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.WebhookDeliveries) private readonly deliveries: Queue<DeliveryJobData>,
    private readonly producer: QueueProducer,
    private readonly config: AppConfig,
  ) {}

  /**
   * One transaction: lock a batch of unrelayed events (skipping rows another relay holds), insert a
   * delivery per enabled, subscribed endpoint of the event's owner (ON CONFLICT DO NOTHING, so a
   * relay that runs twice never makes two), and mark the events relayed. Only rows committed by
   * their own transaction are visible here, so a rolled-back change never produces a delivery.
   * Jobs are enqueued after the commit; if that fails the sweeper enqueues them later.
   */
  async relayBatch(batchSize = RELAY_BATCH_SIZE): Promise<{ events: number; deliveries: number }> {
    const firstDelayMs = withJitter(this.config.webhookRetryScheduleMs[0] ?? 0);
    const rows: { relayed: number; delivery_ids: string[] }[] = await this.dataSource.transaction(
      async (manager) =>
        queryRows(
          manager,
          `WITH batch AS (
           SELECT id, user_id, type FROM events
            WHERE relayed_at IS NULL
            ORDER BY created_at
            LIMIT $1
            FOR UPDATE SKIP LOCKED
         ), inserted AS (
           INSERT INTO webhook_deliveries (event_id, endpoint_id, status, next_attempt_at)
           SELECT b.id, e.id, 'pending', now() + ($2::bigint * interval '1 millisecond')
             FROM batch b
             JOIN webhook_endpoints e
               ON e.user_id = b.user_id AND e.enabled AND (b.type = ANY (e.events) OR '*' = ANY (e.events))
           ON CONFLICT (event_id, endpoint_id) DO NOTHING
           RETURNING id
         ), marked AS (
           UPDATE events SET relayed_at = now() FROM batch WHERE events.id = batch.id RETURNING events.id
         )
         SELECT (SELECT count(*) FROM marked)::int AS relayed,
                (SELECT coalesce(array_agg(id), '{}') FROM inserted) AS delivery_ids`,
          [batchSize, firstDelayMs],
        ),
    );
    const { relayed, delivery_ids: ids } = rows[0];
    if (ids.length > 0) {
      await this.enqueueDeliveries(ids.map((id) => ({ id, attempt: 1, delayMs: firstDelayMs })));
    }
    return { events: relayed, deliveries: ids.length };
  }

  /** Relays until the outbox is empty (or a run's budget is spent). */
  async relayPending(): Promise<{ events: number; deliveries: number }> {
    const total = { events: 0, deliveries: 0 };
    for (let batch = 0; batch < RELAY_MAX_BATCHES; batch++) {
      const result = await this.relayBatch();
      total.events += result.events;
      total.deliveries += result.deliveries;
      if (result.events < RELAY_BATCH_SIZE) break;
    }
    return total;
  }

  /**
   * Asks for a relay now instead of at the next tick; call after committing a transaction that
   * recorded events. Never throws: without Redis the repeating relay picks the events up anyway.
   */
  async kick(): Promise<void> {
    await this.producer.tryEnqueue(
      QueueName.WebhookRelay,
      JobName.RelayOutbox,
      {},
      { jobId: 'relay-kick', removeOnComplete: true, removeOnFail: true, attempts: 1 },
    );
  }

  /** Re-enqueues pending deliveries that are overdue: their job was lost or their worker died. */
  async sweep(): Promise<number> {
    const rows = await queryRows<{ id: string; attempts: number }>(
      this.dataSource.manager,
      `SELECT id, attempts FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= now() - ($1::bigint * interval '1 millisecond')
        ORDER BY next_attempt_at
        LIMIT $2`,
      [SWEEP_GRACE_MS, SWEEP_BATCH_SIZE],
    );
    if (rows.length === 0) return 0;
    const window = Math.floor(Date.now() / SWEEP_DEDUP_WINDOW_MS);
    await this.deliveries.addBulk(
      rows.map((row) => ({
        name: JobName.DeliverWebhook,
        data: { deliveryId: row.id },
        opts: { jobId: jobId(row.id, row.attempts + 1, 'sweep', window) },
      })),
    );
    this.logger.warn(`re-enqueued ${rows.length} overdue webhook deliveries`);
    return rows.length;
  }

  /** Worker-side enqueue of delivery jobs (relay, retries); the job id names the attempt. */
  async enqueueDeliveries(items: DeliveryToEnqueue[]): Promise<void> {
    try {
      await this.deliveries.addBulk(
        items.map((item) => ({
          name: JobName.DeliverWebhook,
          data: { deliveryId: item.id },
          opts: { jobId: jobId(item.id, item.attempt), delay: item.delayMs },
        })),
      );
    } catch (error) {
      // The rows are committed with their due time: the sweeper enqueues them once Redis is back.
      this.logger.warn(
        `could not enqueue ${items.length} webhook deliveries: ${(error as Error).message}`,
      );
    }
  }
}
