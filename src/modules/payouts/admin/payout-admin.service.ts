import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { conflict, notFound } from '../../../common/errors/app-error.js';
import { queryRows } from '../../../database/sql.js';
import type { AdminPayoutDto } from '../dto/payout.dto.js';
import { PayoutExecutionService } from '../payout-execution.service.js';
import { loadPayout, toAdminPayoutDto } from '../payout-rows.js';
import { PayoutTransitionsService } from '../payout-transitions.service.js';
import { PayoutsService } from '../payouts.service.js';

const notAwaitingApproval = (status: string) =>
  conflict('PAYOUT_NOT_PENDING_APPROVAL', `The payout is ${status}, not pending_approval`);

/** Admin decisions on payouts, each recorded with who and when. */
@Injectable()
export class PayoutAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly payouts: PayoutsService,
    private readonly transitions: PayoutTransitionsService,
    private readonly execution: PayoutExecutionService,
  ) {}

  async approve(payoutId: string, adminUserId: string): Promise<AdminPayoutDto> {
    const moved = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE payouts SET status = 'pending', approved_by = $2, approved_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'pending_approval' RETURNING id`,
      [payoutId, adminUserId],
    );
    if (moved.length === 0) throw notAwaitingApproval((await this.view(payoutId)).status);
    await this.payouts.enqueue(payoutId);
    return this.view(payoutId);
  }

  async reject(payoutId: string, adminUserId: string, note: string): Promise<AdminPayoutDto> {
    const before = await this.view(payoutId);
    if (!(await this.transitions.reject(payoutId, adminUserId, note)))
      throw notAwaitingApproval(before.status);
    return this.view(payoutId);
  }

  async finalize(payoutId: string, adminUserId: string, otp: string): Promise<AdminPayoutDto> {
    await this.execution.finalize(payoutId, adminUserId, otp);
    return this.view(payoutId);
  }

  private async view(payoutId: string): Promise<AdminPayoutDto> {
    const payout = await loadPayout(this.dataSource.manager, { id: payoutId });
    if (!payout) throw notFound('Payout');
    return toAdminPayoutDto(payout);
  }
}
