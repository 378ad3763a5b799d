import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { pageSize } from '../../../common/pagination/page.dto.js';
import { PaymentsService } from '../payments.service.js';
import {
  AdminPaymentListResponseDto,
  AdminPaymentResponseDto,
  AdminPaymentsQueryDto,
  ResolvePaymentDto,
  toAdminPaymentDto,
} from './admin.dto.js';
import { PaymentReviewService } from './payment-review.service.js';

@ApiTags('admin')
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
  @ApiOkResponse({ type: AdminPaymentListResponseDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED' })
  async listPayments(@Query() query: AdminPaymentsQueryDto): Promise<AdminPaymentListResponseDto> {
    const page = await this.payments.list(null, {
      status: query.status,
      limit: pageSize(query),
      cursor: query.cursor,
    });
    return { payments: page.payments.map(toAdminPaymentDto), next_cursor: page.nextCursor };
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
  @ApiOkResponse({ type: AdminPaymentResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    404: 'NOT_FOUND',
    422: 'PAYMENT_NOT_IN_REVIEW, or PAYMENT_NOT_ACCEPTABLE (the gateway received another currency)',
  })
  async resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
    @Body() body: ResolvePaymentDto,
  ): Promise<AdminPaymentResponseDto> {
    return toAdminPaymentDto(
      await this.review.resolve(reference, body.action, body.note, principal.userId),
    );
  }
}
