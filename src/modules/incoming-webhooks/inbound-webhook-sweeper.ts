import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { JobName, QueueName } from '../../queue/queue-names.js';
import {
  inboundJobId,
  inboundJobOptions,
  ProcessInboundWebhookJob,
} from './inbound-webhook-jobs.js';
import { queryRows } from '../../database/sql.js';

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
const BATCH = 500;

/**
 * Finds events stored but not finished whose job is gone (Redis was down at intake, the process
 * died between insert and enqueue, Redis lost data) and enqueues them again. An event whose job is
 * still waiting, running or delayed for a retry is left to it.
 */
@Injectable()
export class InboundWebhookSweeper {
  private readonly logger = new Logger(InboundWebhookSweeper.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.InboundWebhooks) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  async sweep(): Promise<number> {
    const rows = await queryRows<{ id: string; generation: number }>(
      this.dataSource.manager,
      `SELECT id, generation FROM inbound_webhook_events
        WHERE status IN ('received', 'processing')
          AND coalesce(enqueued_at, received_at) < now() - make_interval(secs => $1)
        ORDER BY received_at
        LIMIT $2`,
      [this.config.inboundWebhookSweepIntervalMs / 1000, BATCH],
    );
    let requeued = 0;
    for (const row of rows) {
      const existing = await this.queue.getJob(inboundJobId(row.id, row.generation));
      if (existing) {
        const state = await existing.getState();
        if (LIVE_STATES.has(state)) continue;
        // completed or failed but the event is still open: the job's own DB write was lost
        await existing.remove();
      }
      await this.queue.add(
        JobName.ProcessInboundWebhook,
        { inboundEventId: row.id } satisfies ProcessInboundWebhookJob,
        inboundJobOptions(this.config, row.id, row.generation),
      );
      await queryRows(
        this.dataSource.manager,
        `UPDATE inbound_webhook_events SET enqueued_at = now() WHERE id = $1`,
        [row.id],
      );
      requeued++;
    }
    if (requeued > 0) this.logger.log(`re-enqueued ${requeued} inbound webhook event(s)`);
    return requeued;
  }
}
