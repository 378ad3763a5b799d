import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { notFound, unprocessable } from '../../../common/errors/app-error.js';
import type { RefundResolution } from '../dto/refund.dto.js';
import { Refund } from '../refund.entity.js';
import { queryRows } from '../../../database/sql.js';
import { RefundTransitionsService } from '../refund-transitions.service.js';
import { RefundsService } from '../refunds.service.js';

/**
 * An admin's decision on an open refund (usually one parked because a gateway without idempotency
 * keys left a call unanswered), recorded with who, when and why.
 */
@Injectable()
export class RefundReviewService {
  private readonly logger = new Logger(RefundReviewService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly refunds: RefundsService,
    private readonly transitions: RefundTransitionsService,
  ) {}

  async resolve(
    refundId: string,
    action: RefundResolution,
    note: string,
    adminUserId: string,
    gatewayRefundId?: string,
  ): Promise<Refund> {
    const refund = await this.refunds.findById(refundId);
    if (!refund) throw notFound('Refund');
    if (refund.status !== 'pending' && refund.status !== 'processing') {
      throw unprocessable('REFUND_NOT_OPEN', `The refund is ${refund.status} already`);
    }
    if (action === 'resend' && refund.gatewayRefundId) {
      throw unprocessable(
        'REFUND_AT_GATEWAY',
        `${refund.gateway} has this refund (${refund.gatewayRefundId}); it is finished by its webhooks and polling, not sent again`,
      );
    }
    const recorded = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE refunds SET resolved_by = $2, resolved_at = now(), resolution_note = $3, updated_at = now()
        WHERE id = $1 AND status IN ('pending', 'processing') RETURNING id`,
      [refundId, adminUserId, `${action}: ${note}`.slice(0, 2000)],
    );
    if (recorded.length === 0)
      throw unprocessable('REFUND_NOT_OPEN', 'The refund finished meanwhile');
    switch (action) {
      case 'resend':
        // the admin checked the gateway has no such refund: the unknown call may be made again
        await queryRows(
          this.dataSource.manager,
          `UPDATE refunds SET needs_attention = NULL, gateway_call_started_at = NULL WHERE id = $1 AND status IN ('pending', 'processing')`,
          [refundId],
        );
        await this.refunds.enqueueReplacing(refundId).catch((error: unknown) => {
          this.logger.warn(
            `could not enqueue refund ${refundId} (${String(error)}); reconciliation will`,
          );
        });
        break;
      case 'mark_succeeded':
        await this.transitions.recordGatewayIds(refundId, {
          gatewayRefundId: gatewayRefundId ?? null,
        });
        await this.transitions.succeed(refundId, `admin ${adminUserId}`);
        break;
      case 'mark_failed':
        await this.transitions.fail(
          refundId,
          `failed by an admin: ${note}`,
          `admin ${adminUserId}`,
        );
        break;
    }
    return this.dataSource.getRepository(Refund).findOneByOrFail({ id: refundId });
  }
}
