import { Body, Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AllowPublishableKey,
  CurrentPrincipal,
  Public,
  RequirePermission,
} from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import type { IdempotencyClaim } from '../../http/idempotency/idempotency-claim.js';
import {
  CurrentIdempotencyClaim,
  Idempotent,
} from '../../http/idempotency/idempotent.decorator.js';
import { CheckoutSessionsService } from './checkout-sessions.service.js';
import {
  CheckoutSessionDto,
  CheckoutSessionStatusDto,
  CreateCheckoutSessionDto,
  StartCheckoutPaymentDto,
  StartedCheckoutPaymentDto,
  toCheckoutSessionDto,
  toCheckoutStatusDto,
} from './checkout.dto.js';

@ApiTags('checkout')
@Controller('checkout/sessions')
export class CheckoutSessionsController {
  constructor(private readonly sessions: CheckoutSessionsService) {}

  @Post()
  @RequirePermission('payments')
  @AllowPublishableKey()
  @Idempotent()
  @ApiOperation({
    summary: 'Create a checkout session',
    description:
      'With a JWT or an API key holding `payments`: for an order or an amount. With a publishable key ' +
      '(x-api-key: pk_…): only for an unpaid order of its owner. Honours Idempotency-Key.',
  })
  @ApiCreatedResponse({ type: CheckoutSessionDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    403: 'PERMISSION_DENIED: a publishable key without order_id',
    404: 'NOT_FOUND: order_id is not one of yours',
    409: 'IDEMPOTENCY_KEY_IN_USE',
    422: 'ORDER_ALREADY_PAID, CHECKOUT_AMOUNT_REQUIRED, CHECKOUT_AMOUNT_WITH_ORDER, CALLBACK_URL_NOT_ALLOWED, CURRENCY_NOT_SUPPORTED, IDEMPOTENCY_KEY_REUSED',
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateCheckoutSessionDto,
    @CurrentIdempotencyClaim() idempotency: IdempotencyClaim | null,
  ): Promise<CheckoutSessionDto> {
    const session = await this.sessions.create(
      principal.userId,
      principal.via === 'publishable_key',
      {
        orderId: body.order_id,
        amount: body.amount,
        currency: body.currency,
        email: body.email,
        gateways: body.gateways,
        successUrl: body.success_url,
        cancelUrl: body.cancel_url,
        metadata: body.metadata,
      },
      {
        claim: idempotency,
        respond: (made) => toCheckoutSessionDto(made, this.sessions.url(made.id)),
      },
    );
    return toCheckoutSessionDto(session, this.sessions.url(session.id));
  }

  @Get(':id')
  @RequirePermission('payments')
  @AllowPublishableKey()
  @ApiOperation({ summary: 'Read one of your checkout sessions' })
  @ApiOkResponse({ type: CheckoutSessionDto })
  @ApiErrors({ 404: "NOT_FOUND (also another user's session)" })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<CheckoutSessionDto> {
    const session = await this.sessions.getForUser(principal.userId, id);
    return toCheckoutSessionDto(session, this.sessions.url(session.id));
  }

  @Get(':id/status')
  @Public()
  @ApiOperation({
    summary: "A checkout session's state (the hosted page follows it)",
    description: 'Public: the session id is the capability; answers only the state.',
  })
  @ApiOkResponse({ type: CheckoutSessionStatusDto })
  @ApiErrors({ 404: 'NOT_FOUND' })
  @Header('Cache-Control', 'no-store')
  async status(@Param('id') id: string): Promise<CheckoutSessionStatusDto> {
    return toCheckoutStatusDto(await this.sessions.getPublic(id));
  }

  @Post(':id/payments')
  @Public()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Start paying a checkout session (the hosted page calls this)',
    description:
      'Public: the session id is the capability. Creates the payment through the ordinary path as the ' +
      "session's owner; one live payment per session at a time.",
  })
  @ApiCreatedResponse({ type: StartedCheckoutPaymentDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    404: 'NOT_FOUND: no such session',
    409: 'CHECKOUT_SESSION_NOT_OPEN: a payment is under way, it is paid, or it expired',
    422: 'GATEWAY_DISABLED, EMAIL_REQUIRED, ORDER_ALREADY_PAID',
    502: 'GATEWAY_ERROR',
    503: 'GATEWAY_UNAVAILABLE',
  })
  async startPayment(
    @Param('id') id: string,
    @Body() body: StartCheckoutPaymentDto,
  ): Promise<StartedCheckoutPaymentDto> {
    const started = await this.sessions.startPayment(id, body);
    return { reference: started.reference, authorization_url: started.authorizationUrl };
  }
}
