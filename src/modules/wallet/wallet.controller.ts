import {
  Body,
  Controller,
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
import type { IdempotencyClaim } from '../../http/idempotency/idempotency-claim.js';
import {
  CurrentIdempotencyClaim,
  Idempotent,
} from '../../http/idempotency/idempotent.decorator.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import {
  BalanceResponseDto,
  DepositRequestDto,
  DepositResponseDto,
  DepositStatusDto,
  ListTransactionsQueryDto,
  TransactionPageDto,
  TransferRequestDto,
  TransferResponseDto,
  WalletResponseDto,
} from './dto/wallet.dto.js';
import { WalletDepositsService } from './wallet-deposits.service.js';
import { WalletService } from './wallet.service.js';
import { leanControllerRoute, type NestPipeline } from '../../http/lean-controller-route.js';
import type { LeanRoute } from '../../http/lean-routes.js';
import { AppError } from '../../common/errors/app-error.js';
import { pageSize } from '../../common/pagination/page.dto.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';

@ApiTags('wallet')
@ApiErrors({ 429: 'RATE_LIMITED' })
@Controller('wallet')
export class WalletController {
  constructor(
    private readonly wallets: WalletService,
    private readonly deposits: WalletDepositsService,
    private readonly metrics: MetricsService,
  ) {}

  @Get()
  @RequirePermission('read')
  @ApiOperation({ summary: 'Your wallet: number, balance and currency' })
  @ApiOkResponse({ type: WalletResponseDto })
  @ApiErrors({ 404: 'WALLET_NOT_FOUND' })
  async getWallet(@CurrentPrincipal() principal: Principal): Promise<WalletResponseDto> {
    const wallet = await this.wallets.getWallet(principal.userId);
    return {
      wallet_number: wallet.walletNumber,
      balance: wallet.balance,
      currency: wallet.currency,
    };
  }

  @Get('balance')
  @RequirePermission('read')
  @ApiOperation({ summary: 'Your wallet balance' })
  @ApiOkResponse({ type: BalanceResponseDto })
  @ApiErrors({ 404: 'WALLET_NOT_FOUND' })
  async getBalance(@CurrentPrincipal() principal: Principal): Promise<BalanceResponseDto> {
    const wallet = await this.wallets.getWallet(principal.userId);
    return { balance: wallet.balance, currency: wallet.currency };
  }

  @Post('deposit')
  @HttpCode(HttpStatus.CREATED)
  @RequirePermission('deposit')
  @Idempotent()
  @ApiOperation({
    summary: 'Start a deposit into your wallet',
    description:
      'Starts a gateway payment for the amount and returns where to send the payer. The wallet is credited ' +
      'once the gateway confirms the money (webhook, verify or reconciliation), exactly once.',
  })
  @ApiResponse({
    status: 201,
    type: DepositResponseDto,
    description: 'Started; send the payer to authorization_url',
  })
  @ApiErrors({
    400: 'VALIDATION_FAILED: amount, gateway or callback_url is invalid',
    404: 'WALLET_NOT_FOUND',
    409: 'IDEMPOTENCY_KEY_IN_USE',
    422: 'CALLBACK_URL_NOT_ALLOWED, GATEWAY_DISABLED, CURRENCY_NOT_SUPPORTED or IDEMPOTENCY_KEY_REUSED',
    502: 'GATEWAY_ERROR: the gateway refused to start the payment',
  })
  async deposit(
    @CurrentPrincipal() principal: Principal,
    @Body() body: DepositRequestDto,
    @CurrentIdempotencyClaim() idempotency: IdempotencyClaim | null,
  ): Promise<DepositResponseDto> {
    return this.deposits.start(principal.userId, principal.email, {
      amount: body.amount,
      gateway: body.gateway ?? 'paystack',
      callbackUrl: body.callback_url,
      idempotency,
    });
  }

  @Get('deposit/:reference/status')
  @RequirePermission('deposit')
  @ApiOperation({
    summary: "A deposit's state",
    description:
      'Only reads: polling never credits the wallet (settlement does, once the gateway confirms).',
  })
  @ApiOkResponse({ type: DepositStatusDto })
  @ApiErrors({ 404: 'NOT_FOUND: no deposit of yours has this reference' })
  async depositStatus(
    @CurrentPrincipal() principal: Principal,
    @Param('reference') reference: string,
  ): Promise<DepositStatusDto> {
    return this.deposits.status(principal.userId, reference);
  }

  @Post('transfer')
  @HttpCode(HttpStatus.CREATED)
  @RequirePermission('transfer')
  @Idempotent()
  @ApiOperation({
    summary: 'Send money to another wallet',
    description:
      'Atomic: both balances move or neither does. Send an `Idempotency-Key` header to make retries safe: ' +
      'the same key and body replay the first answer, refusals included.',
  })
  @ApiResponse({ status: 201, type: TransferResponseDto, description: 'Moved' })
  @ApiErrors({
    400: 'VALIDATION_FAILED: wallet_number is not 13 digits, or amount is not a positive integer',
    404: 'WALLET_NOT_FOUND: no wallet has this number',
    409: 'IDEMPOTENCY_KEY_IN_USE: the same key is still being processed',
    422: 'INSUFFICIENT_FUNDS, SELF_TRANSFER, INVALID_WALLET_NUMBER (check digit wrong) or IDEMPOTENCY_KEY_REUSED',
  })
  async transfer(
    @CurrentPrincipal() principal: Principal,
    @Body() body: TransferRequestDto,
    @CurrentIdempotencyClaim() idempotency: IdempotencyClaim | null,
  ): Promise<TransferResponseDto> {
    try {
      const result = await this.wallets.transfer(principal.userId, {
        walletNumber: body.wallet_number,
        amount: body.amount,
        narration: body.narration ?? null,
        idempotency,
      });
      this.metrics.transfers.inc({ outcome: 'success' });
      return result;
    } catch (error) {
      this.metrics.transfers.inc({
        outcome: error instanceof AppError ? error.code : 'INTERNAL_ERROR',
      });
      throw error;
    }
  }

  @Get('transactions')
  @RequirePermission('read')
  @ApiOperation({ summary: 'Your wallet history, newest first' })
  @ApiOkResponse({ type: TransactionPageDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED: bad limit, cursor or type', 404: 'WALLET_NOT_FOUND' })
  async listTransactions(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListTransactionsQueryDto,
  ): Promise<TransactionPageDto> {
    return this.wallets.listTransactions(principal.userId, {
      limit: pageSize(query),
      cursor: query.cursor,
      type: query.type,
    });
  }
}

/**
 * POST /wallet/transfer served ahead of Express (http/lean-controller-route.ts): the same guards,
 * Idempotency-Key interceptor, validation and controller method, without Express's routing and
 * body parsing; measured by `npm run bench -- transfers`.
 */
export function transferLeanRoute(app: INestApplication, pipeline: NestPipeline): LeanRoute {
  return leanControllerRoute(app, pipeline, {
    route: '/api/v1/wallet/transfer',
    controller: WalletController,
    method: 'transfer',
    body: TransferRequestDto,
    call: (controller, body, { principal, idempotency }) =>
      controller.transfer(principal, body as TransferRequestDto, idempotency),
  });
}
