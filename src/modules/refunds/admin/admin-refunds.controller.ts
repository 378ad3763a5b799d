import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { notFound } from '../../../common/errors/app-error.js';
import { BEARER_SCHEME } from '../../../http/swagger.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import {
  AdminRefundListQueryDto,
  AdminRefundListResponseDto,
  AdminRefundResponseDto,
  RefundIdParamDto,
  ResolveRefundDto,
} from '../dto/refund.dto.js';
import { pageSize } from '../../../common/pagination/page-query.dto.js';
import { AdminRefundView, toAdminRefundView } from '../refund-view.js';
import { RefundsService } from '../refunds.service.js';
import { RefundReviewService } from './refund-review.service.js';

@ApiTags('admin')
@ApiBearerAuth(BEARER_SCHEME)
@AdminOnly()
@Controller('admin/refunds')
export class AdminRefundsController {
  constructor(
    private readonly refunds: RefundsService,
    private readonly review: RefundReviewService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'All refunds',
    description:
      'Filter by status, or needs_attention=true for refunds parked for a person. Newest first.',
  })
  @ApiOkResponse({ type: AdminRefundListResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED: not an admin',
  })
  async list(
    @Query() query: AdminRefundListQueryDto,
  ): Promise<{ refunds: AdminRefundView[]; next_cursor: string | null }> {
    const page = await this.refunds.list(
      {
        status: query.status,
        needsAttention:
          query.needs_attention === undefined ? undefined : query.needs_attention === 'true',
      },
      { limit: pageSize(query), cursor: query.cursor },
    );
    return { refunds: page.refunds.map(toAdminRefundView), next_cursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One refund, with its working fields' })
  @ApiOkResponse({ type: AdminRefundResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED: not a refund id',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED: not an admin',
    404: 'NOT_FOUND',
  })
  async get(@Param() params: RefundIdParamDto): Promise<AdminRefundView> {
    const refund = await this.refunds.findById(params.id);
    if (!refund) throw notFound('Refund');
    return toAdminRefundView(refund);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Decide on an open refund',
    description:
      'resend: the gateway has no such refund, so call it again; mark_succeeded: the refund is in the gateway dashboard; ' +
      'mark_failed: give up (amount_refunded and any wallet debit are given back). Recorded with who, when and the note.',
  })
  @ApiOkResponse({ type: AdminRefundResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED: not an admin',
    404: 'NOT_FOUND',
    422: 'REFUND_NOT_OPEN (succeeded or failed already), REFUND_AT_GATEWAY (resend of a refund the gateway has)',
  })
  async resolve(
    @CurrentPrincipal() principal: Principal,
    @Param() params: RefundIdParamDto,
    @Body() body: ResolveRefundDto,
  ): Promise<AdminRefundView> {
    return toAdminRefundView(
      await this.review.resolve(
        params.id,
        body.action,
        body.note,
        principal.userId,
        body.gateway_refund_id,
      ),
    );
  }
}
