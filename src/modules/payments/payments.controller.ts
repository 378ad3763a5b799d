import { Body, Controller, Get, HttpCode, Logger, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Public, RequirePermission } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { notFound } from '../../common/errors/app-error.js';
import { pageSize } from '../../common/pagination/page.dto.js';
import type { IdempotencyClaim } from '../../http/idempotency/idempotency-claim.js';
import {
  CurrentIdempotencyClaim,
  Idempotent,
} from '../../http/idempotency/idempotent.decorator.js';
import { AppConfig } from '../../config/app-config.js';
import type { GatewayName } from '../gateways/gateway.interface.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import {
  CallbackQueryDto,
  CapturePaymentDto,
  CreatePaymentDto,
  ListPaymentsQueryDto,
  PaymentListResponseDto,
  PaymentResponseDto,
  toPaymentDto,
} from './dto/payment.dto.js';
import { PaymentsService } from './payments.service.js';
import { SettlementService } from './settlement/settlement.service.js';
import { PaymentCaptureService } from './capture/payment-capture.service.js';

/** Where gateways send the payer back. Public: it reveals nothing but the state, in a redirect. */
@ApiTags('payments')
@Public()
@Controller('payments')
export class PaymentCallbackController {
  private readonly logger = new Logger(PaymentCallbackController.name);

  constructor(
    private readonly payments: PaymentsService,
    private readonly settlement: SettlementService,
    private readonly config: AppConfig,
  ) {}

  @Get('callback')
  @ApiOperation({
    summary: 'Gateway return URL',
    description:
      "Verifies the payment with its gateway (through the one settlement path) and redirects (302) to the payment's callback_url, " +
      'or FRONTEND_CALLBACK_URL, with ?reference=…&status=…. Without either it answers 200 with {reference, status}.',
  })
  @ApiFoundResponse({ description: 'Redirect to the front end with reference and status' })
  @ApiErrors({ 400: 'VALIDATION_FAILED: no reference', 404: 'NOT_FOUND: no such payment' })
  async callback(@Query() query: CallbackQueryDto, @Res() res: Response): Promise<void> {
    const found = await this.payments.findByReference(query.reference);
    if (!found) throw notFound('Payment');
    let status = found.status;
    try {
      status = (await this.settlement.settle(found.id, { source: 'callback' })).payment.status;
    } catch (error) {
      // The payer still goes back; the webhook job or reconciliation settles it later.
      this.logger.warn(`callback verify of ${found.reference} failed: ${(error as Error).message}`);
    }
    const target = found.callbackUrl ?? this.config.frontendCallbackUrl;
    if (!target) {
      res.status(200).json({ reference: found.reference, status });
      return;
    }
    const url = new URL(target);
    url.searchParams.set('reference', found.reference);
    url.searchParams.set('status', status);
    res.redirect(302, url.toString());
  }
}

@ApiTags('payments')
@RequirePermission('payments')
@Controller('payments')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly settlement: SettlementService,
    private readonly captures: PaymentCaptureService,
  ) {}

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: 'Start a payment',
    description:
      'Creates a pending payment and returns where to send the payer. Honours Idempotency-Key.',
  })
  @ApiCreatedResponse({ type: PaymentResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    404: 'NOT_FOUND: order_id is not one of yours',
    409: 'IDEMPOTENCY_KEY_IN_USE',
    422: 'CALLBACK_URL_NOT_ALLOWED, GATEWAY_DISABLED, CURRENCY_NOT_SUPPORTED, CAPTURE_NOT_SUPPORTED, ORDER_CURRENCY_MISMATCH, ORDER_ALREADY_PAID, IDEMPOTENCY_KEY_REUSED',
    502: 'GATEWAY_ERROR: the gateway refused to start the payment',
    503: 'GATEWAY_UNAVAILABLE: the gateway did not answer; retry',
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreatePaymentDto,
    @CurrentIdempotencyClaim() idempotency: IdempotencyClaim | null,
  ): Promise<PaymentResponseDto> {
    const payment = await this.payments.createPayment(
      principal.userId,
      {
        amount: body.amount,
        currency: body.currency,
        email: body.email,
        gateway: body.gateway as GatewayName,
        purpose: 'payment',
        callbackUrl: body.callback_url,
        metadata: body.metadata,
        orderId: body.order_id,
        capture: body.capture,
      },
      { claim: idempotency, respond: toPaymentDto },
    );
    return toPaymentDto(payment);
  }

  @Get()
  @ApiOperation({ summary: 'List your payments', description: 'Newest first, cursor-paginated.' })
  @ApiOkResponse({ type: PaymentListResponseDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED: bad filter, limit or cursor' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListPaymentsQueryDto,
  ): Promise<PaymentListResponseDto> {
    const page = await this.payments.list(principal.userId, {
      status: query.status,
      gateway: query.gateway,
      limit: pageSize(query),
      cursor: query.cursor,
    });
    return { payments: page.payments.map(toPaymentDto), next_cursor: page.nextCursor };
  }

  @Get(':reference')
  @ApiOperation({ summary: 'Get one of your payments' })
  @ApiParam({ name: 'reference', example: 'PAY-20260122123456-AB12CD34' })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiErrors({ 404: "NOT_FOUND (also another user's payment)" })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
  ): Promise<PaymentResponseDto> {
    return toPaymentDto(await this.payments.getForUser(principal.userId, reference));
  }

  @Post(':reference/verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ask the gateway now',
    description:
      'Verifies with the gateway and settles through the one settlement path; returns the payment.',
  })
  @ApiParam({ name: 'reference', example: 'PAY-20260122123456-AB12CD34' })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiErrors({
    404: 'NOT_FOUND',
    422: 'GATEWAY_DISABLED',
    502: 'GATEWAY_ERROR: the gateway refused the verify call',
    503: 'GATEWAY_UNAVAILABLE: the gateway did not answer; retry',
  })
  async verify(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
  ): Promise<PaymentResponseDto> {
    const payment = await this.payments.getForUser(principal.userId, reference);
    return toPaymentDto((await this.settlement.settle(payment.id, { source: 'verify' })).payment);
  }

  @Get(':reference/verify')
  @ApiOperation({
    summary: 'Ask the gateway now (GET form)',
    description: 'Same as POST /payments/{reference}/verify.',
  })
  @ApiParam({ name: 'reference', example: 'PAY-20260122123456-AB12CD34' })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiErrors({
    404: 'NOT_FOUND',
    422: 'GATEWAY_DISABLED',
    502: 'GATEWAY_ERROR',
    503: 'GATEWAY_UNAVAILABLE',
  })
  async verifyGet(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
  ): Promise<PaymentResponseDto> {
    return this.verify(principal, reference);
  }

  @Post(':reference/capture')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Capture an authorized payment',
    description:
      'SPEC §15: captures `amount` (default: all) of a manual payment the gateway has authorized; the rest of the authorization is released. Settles through the one settlement path: the payment becomes `succeeded` for the captured amount. One capture per payment reaches the gateway, with an idempotency key derived from the payment. Honours Idempotency-Key.',
  })
  @ApiParam({ name: 'reference', example: 'PAY-20260122123456-AB12CD34' })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    404: 'NOT_FOUND',
    409: 'PAYMENT_NOT_CAPTURABLE: not authorized, or a capture or cancel is already under way; IDEMPOTENCY_KEY_IN_USE',
    422: 'CAPTURE_EXCEEDS_AUTHORIZED, GATEWAY_DISABLED, IDEMPOTENCY_KEY_REUSED',
    502: 'GATEWAY_ERROR: the gateway refused the capture',
    503: 'GATEWAY_UNAVAILABLE: the gateway did not answer; retry with the same Idempotency-Key',
  })
  async capture(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
    @Body() body: CapturePaymentDto,
    @CurrentIdempotencyClaim() idempotency: IdempotencyClaim | null,
  ): Promise<PaymentResponseDto> {
    return toPaymentDto(
      await this.captures.capture(principal.userId, reference, body.amount, idempotency),
    );
  }

  @Post(':reference/cancel')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Void an authorized payment',
    description:
      'SPEC §15: voids the authorization of a manual payment at its gateway; the payment becomes `canceled` and nothing is taken. Honours Idempotency-Key.',
  })
  @ApiParam({ name: 'reference', example: 'PAY-20260122123456-AB12CD34' })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiErrors({
    404: 'NOT_FOUND',
    409: 'PAYMENT_NOT_CAPTURABLE: not authorized, or a capture or cancel is already under way; IDEMPOTENCY_KEY_IN_USE',
    422: 'GATEWAY_DISABLED, IDEMPOTENCY_KEY_REUSED',
    502: 'GATEWAY_ERROR: the gateway refused the void',
    503: 'GATEWAY_UNAVAILABLE: the gateway did not answer; retry with the same Idempotency-Key',
  })
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
    @CurrentIdempotencyClaim() idempotency: IdempotencyClaim | null,
  ): Promise<PaymentResponseDto> {
    return toPaymentDto(await this.captures.cancel(principal.userId, reference, idempotency));
  }
}
