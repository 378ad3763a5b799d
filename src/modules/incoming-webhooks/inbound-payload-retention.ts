import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { queryRows } from '../../database/sql.js';

const BATCH = 1_000;

/**
 * Deletes what a stored gateway webhook said once INBOUND_PAYLOAD_RETENTION has passed: the
 * payload becomes null and the headers `{}`. The event's identity (gateway, event id, type,
 * reference, the gateway's payment id), its normalized reading and its outcome (status, attempts,
 * last error, payment, processed_at) stay, so duplicates are still recognized and the record of
 * what happened is kept. A repeating maintenance job runs it (src/schedules.ts).
 */
@Injectable()
export class InboundPayloadRetention {
  private readonly logger = new Logger(InboundPayloadRetention.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async purgeExpired(): Promise<number> {
    let purged = 0;
    for (;;) {
      // Batches keep each statement short; SKIP LOCKED leaves rows a job is finishing right now
      // to the next run. The partial index on received_at WHERE payload IS NOT NULL finds them.
      const rows = await queryRows<{ id: string }>(
        this.dataSource.manager,
        `WITH expired AS (
           SELECT id FROM inbound_webhook_events
            WHERE payload IS NOT NULL
              AND received_at < now() - ($1::bigint * interval '1 millisecond')
            ORDER BY received_at
            LIMIT $2
              FOR UPDATE SKIP LOCKED)
         UPDATE inbound_webhook_events e
            SET payload = NULL, headers = '{}'::jsonb, updated_at = now()
           FROM expired
          WHERE e.id = expired.id
         RETURNING e.id`,
        [this.config.inboundPayloadRetentionMs, BATCH],
      );
      purged += rows.length;
      if (rows.length < BATCH) break;
    }
    if (purged > 0)
      this.logger.log(`deleted the payloads of ${purged} inbound webhook event(s) past retention`);
    return purged;
  }
}
