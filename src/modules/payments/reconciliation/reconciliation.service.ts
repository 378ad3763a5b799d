import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config.js';
import { SettlementService } from '../settlement/settlement.service.js';
import { queryRows } from '../../../database/sql.js';

const BATCH = 200;
const CONCURRENCY = 4;

export interface ReconcileSummary {
  checked: number;
  changed: number;
  errors: number;
}

/**
 * Verifies payments whose webhook may never come: pending ones older than RECONCILE_MIN_AGE (each
 * run), and abandoned ones every RECONCILE_ABANDONED_INTERVAL for RECONCILE_ABANDONED_WINDOW after
 * expiry, so a payer who finishes late is still credited. Expiry of pending payments is applied by
 * the same settlement path, even when the gateway cannot be asked.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly settlement: SettlementService,
  ) {}

  async reconcileOnce(): Promise<ReconcileSummary> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `SELECT id FROM payments
        WHERE (status = 'pending'
               AND created_at <= now() - make_interval(secs => $1)
               AND (next_verify_at IS NULL OR next_verify_at <= now()))
           OR (status = 'abandoned'
               AND expires_at > now() - make_interval(secs => $2)
               AND (next_verify_at IS NULL OR next_verify_at <= now()))
        ORDER BY next_verify_at NULLS FIRST, created_at
        LIMIT $3`,
      [this.config.reconcileMinAgeMs / 1000, this.config.reconcileAbandonedWindowMs / 1000, BATCH],
    );
    const summary: ReconcileSummary = { checked: 0, changed: 0, errors: 0 };
    const queue = rows.map((row) => row.id);
    const worker = async (): Promise<void> => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          const outcome = await this.settlement.settle(id, {
            source: 'reconcile',
            tolerateGatewayErrors: true,
          });
          summary.checked++;
          if (outcome.changed) summary.changed++;
        } catch (error) {
          summary.errors++;
          this.logger.warn(`reconciling payment ${id} failed: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (summary.changed > 0 || summary.errors > 0)
      this.logger.log(`reconciliation: ${JSON.stringify(summary)}`);
    return summary;
  }
}
