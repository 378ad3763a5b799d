import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { queryRows } from '../../database/sql.js';
import { PayoutExecutionService, PayoutStillOpenError } from './payout-execution.service.js';
import { loadPayout } from './payout-rows.js';
import { PayoutsService } from './payouts.service.js';

const BATCH = 200;

/**
 * The repeating payout job (PAYOUT_RECONCILE_INTERVAL): verifies by reference every payout still
 * `processing` whose next look is due (a lost webhook never leaves one stuck), and those waiting
 * for an OTP (a transfer Paystack abandons is failed and its money returned), and enqueues again
 * `pending` payouts whose job is gone (Redis was down at request time, or lost it).
 */
@Injectable()
export class PayoutReconciliationService {
  private readonly logger = new Logger(PayoutReconciliationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly payouts: PayoutsService,
    private readonly execution: PayoutExecutionService,
  ) {}

  async reconcileOnce(): Promise<{ verified: number; requeued: number }> {
    const due = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `SELECT id FROM payouts
        WHERE status IN ('processing', 'requires_otp')
          AND (next_verify_at IS NULL OR next_verify_at <= now())
        ORDER BY next_verify_at NULLS FIRST, created_at LIMIT $1`,
      [BATCH],
    );
    for (const { id } of due) {
      try {
        const payout = await loadPayout(this.dataSource.manager, { id });
        if (payout?.status === 'processing' || payout?.status === 'requires_otp')
          await this.execution.check(payout);
      } catch (error) {
        // one payout's trouble (its gateway down, not known yet) must not stop the others
        if (!(error instanceof PayoutStillOpenError))
          this.logger.warn(`verifying payout ${id} failed: ${(error as Error).message}`);
      }
    }
    const lost = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `SELECT id FROM payouts
        WHERE status = 'pending' AND coalesce(enqueued_at, created_at) < now() - make_interval(secs => $1)
        ORDER BY created_at LIMIT $2`,
      [this.config.payoutVerifyIntervalMs / 1000, BATCH],
    );
    let requeued = 0;
    for (const { id } of lost) if (await this.payouts.enqueue(id, true)) requeued++;
    return { verified: due.length, requeued };
  }
}
