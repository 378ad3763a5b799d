import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { pageSize } from '../../../common/pagination/page-query.dto.js';
import { BEARER_SCHEME } from '../../../http/swagger.js';
import { PaymentListResponseDto, PaymentResponseDto } from '../dto/payment.dto.js';
import { PaymentView, toPaymentView } from '../payment-view.js';
import type { Payment } from '../payment.entity.js';
import { PaymentsService } from '../payments.service.js';
import { AdminPaymentsQueryDto, ResolvePaymentDto } from './admin.dto.js';
import { PaymentReviewService } from './payment-review.service.js';

type AdminPaymentView = PaymentView & {
  user_id: string;
  reported_amount: number | null;
  reported_currency: string | null;
  reported_reference: string | null;
  resolution: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  resolution_note: string | null;
};

function toAdminPaymentView(payment: Payment): AdminPaymentView {
  return {
    ...toPaymentView(payment),
    user_id: payment.userId,
    reported_amount: payment.reportedAmount,
    reported_currency: payment.reportedCurrency,
    reported_reference: payment.reportedReference,
    resolution: payment.resolution,
    resolved_by: payment.resolvedBy,
    resolved_at: payment.resolvedAt?.toISOString() ?? null,
    resolution_note: payment.resolutionNote,
  };
}

@ApiTags('admin')
@ApiBearerAuth(BEARER_SCHEME)
@AdminOnly()
@Controller('admin')
export class AdminPaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly review: PaymentReviewService,
  ) {}

  @Get('payments')
  @ApiOperation({
    summary: "List every user's payments",
    description: 'e.g. ?status=needs_review for those awaiting a decision.',
  })
  @ApiOkResponse({ type: PaymentListResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED: not an admin',
  })
  async listPayments(
    @Query() query: AdminPaymentsQueryDto,
  ): Promise<{ payments: AdminPaymentView[]; next_cursor: string | null }> {
    const page = await this.payments.list(null, {
      status: query.status,
      limit: pageSize(query),
      cursor: query.cursor,
    });
    return { payments: page.payments.map(toAdminPaymentView), next_cursor: page.nextCursor };
  }

  @Post('payments/:reference/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resolve a needs_review payment',
    description:
      'accept: succeeded for what the gateway actually received (amount_received; a deposit credits that amount). ' +
      'reject: failed; what was received stays in amount_received for the refund. Recorded with who and when.',
  })
  @ApiParam({ name: 'reference', example: 'PAY-20260122123456-AB12CD34' })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED: not an admin',
    404: 'NOT_FOUND',
    422: 'PAYMENT_NOT_IN_REVIEW, or PAYMENT_NOT_ACCEPTABLE (the gateway received another currency)',
  })
  async resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
    @Body() body: ResolvePaymentDto,
  ): Promise<AdminPaymentView> {
    return toAdminPaymentView(
      await this.review.resolve(reference, body.action, body.note, principal.userId),
    );
  }
}
