import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config.js';
import { SettlementService } from '../settlement/settlement.service.js';
import { PaymentCaptureService } from '../capture/payment-capture.service.js';
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
 * the same settlement path, even when the gateway cannot be asked. Authorized payments (manual
 * capture) are asked on the abandoned payments' schedule, so an authorization the gateway let
 * expire becomes `canceled`; a capture or void left under way longer than a request may be in
 * flight is driven again first (its gateway key makes that safe).
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly settlement: SettlementService,
    private readonly captures: PaymentCaptureService,
  ) {}

  async reconcileOnce(): Promise<ReconcileSummary> {
    const rows = await queryRows<{ id: string; resume: boolean }>(
      this.dataSource.manager,
      `SELECT id, capture_action IS NOT NULL
                  AND capture_requested_at <= now() - make_interval(secs => $4) AS resume
         FROM payments
        WHERE (status = 'pending'
               AND created_at <= now() - make_interval(secs => $1)
               AND (next_verify_at IS NULL OR next_verify_at <= now()))
           OR (status = 'abandoned'
               AND expires_at > now() - make_interval(secs => $2)
               AND (next_verify_at IS NULL OR next_verify_at <= now()))
           OR (status = 'authorized'
               AND (next_verify_at IS NULL OR next_verify_at <= now()
                    OR capture_requested_at <= now() - make_interval(secs => $4)))
        ORDER BY next_verify_at NULLS FIRST, created_at
        LIMIT $3`,
      [
        this.config.reconcileMinAgeMs / 1000,
        this.config.reconcileAbandonedWindowMs / 1000,
        BATCH,
        this.config.idempotencyInFlightTimeoutMs / 1000,
      ],
    );
    const summary: ReconcileSummary = { checked: 0, changed: 0, errors: 0 };
    const queue = [...rows];
    const worker = async (): Promise<void> => {
      for (let row = queue.shift(); row !== undefined; row = queue.shift()) {
        const id = row.id;
        try {
          const outcome = await this.settlement.settle(id, {
            source: 'reconcile',
            tolerateGatewayErrors: true,
          });
          // A capture or void whose request died, and that the gateway's truth has not finished,
          // is driven again with the same gateway key.
          if (row.resume && outcome.payment.status === 'authorized') await this.captures.resume(id);
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
