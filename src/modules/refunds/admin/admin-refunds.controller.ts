import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { notFound } from '../../../common/errors/app-error.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import {
  AdminRefundListQueryDto,
  AdminRefundListResponseDto,
  AdminRefundResponseDto,
  RefundIdParamDto,
  ResolveRefundDto,
  toAdminRefundDto,
} from '../dto/refund.dto.js';
import { pageSize } from '../../../common/pagination/page.dto.js';
import { RefundsService } from '../refunds.service.js';
import { RefundReviewService } from './refund-review.service.js';

@ApiTags('admin')
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
  @ApiErrors({ 400: 'VALIDATION_FAILED' })
  async list(@Query() query: AdminRefundListQueryDto): Promise<AdminRefundListResponseDto> {
    const page = await this.refunds.list(
      {
        status: query.status,
        needsAttention:
          query.needs_attention === undefined ? undefined : query.needs_attention === 'true',
      },
      { limit: pageSize(query), cursor: query.cursor },
    );
    return { refunds: page.refunds.map(toAdminRefundDto), next_cursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One refund, with its working fields' })
  @ApiOkResponse({ type: AdminRefundResponseDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED: not a refund id', 404: 'NOT_FOUND' })
  async get(@Param() params: RefundIdParamDto): Promise<AdminRefundResponseDto> {
    const refund = await this.refunds.findById(params.id);
    if (!refund) throw notFound('Refund');
    return toAdminRefundDto(refund);
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
    404: 'NOT_FOUND',
    422: 'REFUND_NOT_OPEN (succeeded or failed already), REFUND_AT_GATEWAY (resend of a refund the gateway has)',
  })
  async resolve(
    @CurrentPrincipal() principal: Principal,
    @Param() params: RefundIdParamDto,
    @Body() body: ResolveRefundDto,
  ): Promise<AdminRefundResponseDto> {
    return toAdminRefundDto(
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
