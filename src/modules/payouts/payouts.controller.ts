import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  type INestApplication,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { PageQueryDto, pageSize } from '../../common/pagination/page.dto.js';
import { AppConfig } from '../../config/app-config.js';
import type { IdempotencyClaim } from '../../http/idempotency/idempotency-claim.js';
import {
  CurrentIdempotencyClaim,
  Idempotent,
} from '../../http/idempotency/idempotent.decorator.js';
import {
  BanksQueryDto,
  BanksResponseDto,
  CreateRecipientDto,
  CreateWithdrawalDto,
  ListPayoutsQueryDto,
  PayoutDto,
  PayoutListDto,
  RecipientDto,
  RecipientListDto,
} from './dto/payout.dto.js';
import { leanControllerRoute, type NestPipeline } from '../../http/lean-controller-route.js';
import type { LeanRoute } from '../../http/lean-routes.js';
import { toPayoutDto } from './payout-rows.js';
import { PayoutsService } from './payouts.service.js';

@ApiTags('payouts')
@ApiErrors({ 429: 'RATE_LIMITED' })
@RequirePermission('payouts')
@Controller()
export class PayoutsController {
  constructor(
    private readonly payouts: PayoutsService,
    private readonly config: AppConfig,
  ) {}

  @Get('banks')
  @ApiOperation({ summary: "A gateway's banks for payouts (cached for an hour)" })
  @ApiOkResponse({ type: BanksResponseDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    422: 'GATEWAY_DISABLED or CURRENCY_NOT_SUPPORTED',
    503: 'GATEWAY_UNAVAILABLE',
  })
  async banks(@Query() query: BanksQueryDto): Promise<BanksResponseDto> {
    return {
      banks: await this.payouts.listBanks(
        query.gateway,
        query.currency ?? this.config.walletCurrency,
      ),
    };
  }

  @Post('payout-recipients')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Add a bank account (or mobile money wallet) to pay out to',
    description:
      "The account's name is resolved at the gateway, and the gateway's transfer recipient created where it has one. The full account number is kept encrypted, shown only as its last 4 digits.",
  })
  @ApiResponse({ status: 201, type: RecipientDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    422: 'ACCOUNT_NOT_RESOLVED, GATEWAY_DISABLED or CURRENCY_NOT_SUPPORTED',
    502: 'GATEWAY_ERROR',
    503: 'GATEWAY_UNAVAILABLE',
  })
  async createRecipient(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateRecipientDto,
  ): Promise<RecipientDto> {
    return this.payouts.createRecipient(principal.userId, body);
  }

  @Get('payout-recipients')
  @ApiOperation({ summary: 'Your payout recipients, newest first' })
  @ApiOkResponse({ type: RecipientListDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED' })
  async listRecipients(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQueryDto,
  ): Promise<RecipientListDto> {
    return this.payouts.listRecipients(principal.userId, {
      limit: pageSize(query),
      cursor: query.cursor,
    });
  }

  @Delete('payout-recipients/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove a payout recipient (not while a payout to it is in flight)' })
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiErrors({ 404: 'NOT_FOUND', 409: 'RECIPIENT_HAS_PAYOUT_IN_FLIGHT' })
  async deleteRecipient(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<void> {
    await this.payouts.deleteRecipient(principal.userId, id);
  }

  @Post('wallet/withdrawals')
  @HttpCode(HttpStatus.ACCEPTED)
  @Idempotent()
  @ApiOperation({
    summary: 'Withdraw from your wallet to a payout recipient',
    description:
      'The amount leaves the balance at once (held until the gateway confirms the transfer; given back once if it fails, is rejected or reversed). ' +
      'Above PAYOUT_APPROVAL_THRESHOLD it waits for an admin (pending_approval). Send an `Idempotency-Key` to make retries safe.',
  })
  @ApiResponse({
    status: 202,
    type: PayoutDto,
    description: 'Accepted; the transfer is sent by a job',
  })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    404: 'NOT_FOUND: no recipient of yours has this id',
    409: 'IDEMPOTENCY_KEY_IN_USE',
    422: 'INSUFFICIENT_FUNDS, PAYOUT_LIMIT_EXCEEDED, CURRENCY_MISMATCH, GATEWAY_DISABLED or IDEMPOTENCY_KEY_REUSED',
  })
  async withdraw(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateWithdrawalDto,
    @CurrentIdempotencyClaim() idempotency: IdempotencyClaim | null,
  ): Promise<PayoutDto> {
    return this.payouts.requestWithdrawal(
      principal.userId,
      { amount: body.amount, recipientId: body.recipient_id, narration: body.narration ?? null },
      idempotency,
    );
  }

  @Get('wallet/withdrawals')
  @ApiOperation({ summary: 'Your withdrawals, newest first' })
  @ApiOkResponse({ type: PayoutListDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListPayoutsQueryDto,
  ): Promise<PayoutListDto> {
    const page = await this.payouts.list(
      { userId: principal.userId, status: query.status },
      { limit: pageSize(query), cursor: query.cursor },
    );
    return { withdrawals: page.payouts.map(toPayoutDto), next_cursor: page.next_cursor };
  }

  @Get('wallet/withdrawals/:id')
  @ApiOperation({ summary: 'One of your withdrawals' })
  @ApiOkResponse({ type: PayoutDto })
  @ApiErrors({ 404: 'NOT_FOUND' })
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<PayoutDto> {
    return this.payouts.getForUser(principal.userId, id);
  }
}

/**
 * POST /wallet/withdrawals served ahead of Express (http/lean-controller-route.ts): the same
 * guards, Idempotency-Key interceptor, validation and controller method, without Express's routing
 * and body parsing; the route every withdrawal takes, measured by `npm run bench -- payouts`.
 */
export function withdrawalLeanRoute(app: INestApplication, pipeline: NestPipeline): LeanRoute {
  return leanControllerRoute(app, pipeline, {
    route: '/api/v1/wallet/withdrawals',
    controller: PayoutsController,
    method: 'withdraw',
    body: CreateWithdrawalDto,
    call: (controller, body, { principal, idempotency }) =>
      controller.withdraw(principal, body as CreateWithdrawalDto, idempotency),
  });
}
