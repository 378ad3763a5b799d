import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { Refund } from './refund.entity.js';
import { RefundExecutionService } from './refund-execution.service.js';
import { RefundsService } from './refunds.service.js';
import { queryRows } from '../../database/sql.js';

const BATCH = 200;

/**
 * The repeating refund job (REFUND_RECONCILE_INTERVAL):
 * - enqueues again open refunds the gateway has not accepted yet whose job is gone (Redis was down
 *   at request time, the job ran out of attempts, Redis lost it);
 * - asks the gateway about refunds it has accepted but not finished, once their next_check_at has
 *   come: the only way a Flutterwave refund finishes (it sends no refund webhooks), and a backstop
 *   for lost webhooks of the others.
 * Parked refunds (needs_attention) are left to a person.
 */
@Injectable()
export class RefundReconciliationService {
  private readonly logger = new Logger(RefundReconciliationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly refunds: RefundsService,
    private readonly execution: RefundExecutionService,
  ) {}

  async reconcileOnce(): Promise<{ requeued: number; polled: number }> {
    return { requeued: await this.requeueLost(), polled: await this.pollAccepted() };
  }

  private async requeueLost(): Promise<number> {
    const stale = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `SELECT id FROM refunds
        WHERE status IN ('pending', 'processing') AND gateway_refund_id IS NULL AND needs_attention IS NULL
          AND greatest(coalesce(enqueued_at, created_at), updated_at) < now() - make_interval(secs => $1)
        ORDER BY created_at
        LIMIT $2`,
      [this.config.refundSweepAfterMs / 1000, BATCH],
    );
    let requeued = 0;
    for (const row of stale) {
      if (await this.refunds.enqueueReplacing(row.id)) requeued++;
    }
    return requeued;
  }

  private async pollAccepted(): Promise<number> {
    const due = await this.dataSource
      .getRepository(Refund)
      .createQueryBuilder('r')
      .where(`r.status IN ('pending', 'processing')`)
      .andWhere('r.gateway_refund_id IS NOT NULL')
      .andWhere('r.needs_attention IS NULL')
      .andWhere('(r.next_check_at IS NULL OR r.next_check_at <= now())')
      .orderBy('r.next_check_at', 'ASC', 'NULLS FIRST')
      .limit(BATCH)
      .getMany();
    for (const refund of due) {
      try {
        await this.execution.poll(refund);
      } catch (error) {
        // one refund's trouble (e.g. its gateway disabled) must not stop the others
        this.logger.warn(`polling refund ${refund.id} failed: ${(error as Error).message}`);
      }
    }
    return due.length;
  }
}
