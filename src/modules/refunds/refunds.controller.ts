import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import type { IdempotencyClaim } from '../../http/idempotency/idempotency-claim.js';
import {
  CurrentIdempotencyClaim,
  Idempotent,
} from '../../http/idempotency/idempotent.decorator.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import {
  CreateRefundDto,
  RefundCreatedResponseDto,
  RefundListResponseDto,
  RefundResponseDto,
  toRefundCreatedDto,
  toRefundDto,
} from './dto/refund.dto.js';
import { PageQueryDto, pageSize } from '../../common/pagination/page.dto.js';
import { RefundsService } from './refunds.service.js';

@ApiTags('refunds')
@RequirePermission('refunds')
@Controller()
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  @Post('payments/:reference/refunds')
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({
    summary: 'Refund a payment, in full or in part',
    description:
      'Accepts the refund (202, pending) after checking under the payment row lock that the payment succeeded and that refunds not failed ' +
      'stay within what was paid; the gateway is asked asynchronously. amount defaults to what remains. Refunding a wallet deposit takes ' +
      'the money out of the wallet now and gives it back if the refund fails. Honours Idempotency-Key.',
  })
  @ApiParam({ name: 'reference', example: 'PAY-20260122123456-AB12CD34' })
  @ApiAcceptedResponse({ type: RefundCreatedResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED: amount is not a positive whole number of minor units',
    404: "NOT_FOUND (also another user's payment)",
    409: 'IDEMPOTENCY_KEY_IN_USE',
    422: 'PAYMENT_NOT_REFUNDABLE, PAYMENT_DISPUTED, REFUND_EXCEEDS_REMAINING, INSUFFICIENT_FUNDS (a deposit whose money has left the wallet), GATEWAY_DISABLED, IDEMPOTENCY_KEY_REUSED',
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
    @Body() body: CreateRefundDto,
    @CurrentIdempotencyClaim() idempotency: IdempotencyClaim | null,
  ): Promise<RefundCreatedResponseDto> {
    const refund = await this.refunds.requestRefund(
      principal.userId,
      reference,
      { amount: body.amount, reason: body.reason },
      idempotency,
    );
    return toRefundCreatedDto(refund);
  }

  @Get('payments/:reference/refunds')
  @ApiOperation({ summary: "A payment's refunds", description: 'Newest first, cursor-paginated.' })
  @ApiParam({ name: 'reference', example: 'PAY-20260122123456-AB12CD34' })
  @ApiOkResponse({ type: RefundListResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED: bad limit or cursor',
    404: "NOT_FOUND (also another user's payment)",
  })
  async listForPayment(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
    @Query() query: PageQueryDto,
  ): Promise<RefundListResponseDto> {
    const page = await this.refunds.listForPayment(principal.userId, reference, {
      limit: pageSize(query),
      cursor: query.cursor,
    });
    return { refunds: page.refunds.map(toRefundDto), next_cursor: page.nextCursor };
  }

  @Get('refunds/:id')
  @ApiOperation({ summary: 'Get one of your refunds' })
  @ApiParam({ name: 'id', example: '6f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' })
  @ApiOkResponse({ type: RefundResponseDto })
  @ApiErrors({ 404: "NOT_FOUND (also another user's refund)" })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<RefundResponseDto> {
    return toRefundDto(await this.refunds.getForUser(principal.userId, id));
  }
}
