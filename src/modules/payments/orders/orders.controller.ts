import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { notFound } from '../../../common/errors/app-error.js';
import type { IdempotencyClaim } from '../../../http/idempotency/idempotency-claim.js';
import {
  CurrentIdempotencyClaim,
  Idempotent,
} from '../../../http/idempotency/idempotent.decorator.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { CreateOrderDto, OrderResponseDto, toOrderDto } from './order.dto.js';
import { OrdersService } from './orders.service.js';

@ApiTags('orders')
@RequirePermission('payments')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: 'Create an order',
    description:
      'An order becomes paid when a payment for its full amount succeeds. Honours Idempotency-Key.',
  })
  @ApiCreatedResponse({ type: OrderResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    409: 'IDEMPOTENCY_KEY_IN_USE',
    422: 'IDEMPOTENCY_KEY_REUSED',
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateOrderDto,
    @CurrentIdempotencyClaim() idempotency: IdempotencyClaim | null,
  ): Promise<OrderResponseDto> {
    return toOrderDto(
      await this.orders.create(principal.userId, body, {
        claim: idempotency,
        respond: toOrderDto,
      }),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one of your orders' })
  @ApiOkResponse({ type: OrderResponseDto })
  @ApiErrors({ 404: "NOT_FOUND (also another user's order)" })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound('Order') })) id: string,
  ): Promise<OrderResponseDto> {
    return toOrderDto(await this.orders.getForUser(principal.userId, id));
  }
}
