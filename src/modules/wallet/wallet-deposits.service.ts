import { Injectable } from '@nestjs/common';
import type { Minor } from '../../common/money.js';
import { notFound } from '../../common/errors/app-error.js';
import type { IdempotencyClaim } from '../../http/idempotency/idempotency-claim.js';
import type { GatewayName } from '../gateways/gateway.interface.js';
import type { Payment } from '../payments/payment.entity.js';
import { PaymentsService } from '../payments/payments.service.js';
import { WalletService } from './wallet.service.js';
import type { DepositResponseDto, DepositStatusDto } from './dto/wallet.dto.js';

export interface StartDeposit {
  amount: Minor;
  gateway: GatewayName;
  callbackUrl?: string;
  /** Completed with the answer in the transaction that records the checkout. */
  idempotency?: IdempotencyClaim | null;
}

function toDepositDto(payment: Payment): DepositResponseDto {
  if (!payment.authorizationUrl)
    throw new Error(`deposit ${payment.reference} has no authorization URL`);
  return {
    reference: payment.reference,
    authorization_url: payment.authorizationUrl,
    amount: payment.amount,
    currency: payment.currency,
    gateway: payment.gateway,
  };
}

/**
 * Wallet top-ups are ordinary gateway payments with purpose `wallet_deposit`. Starting one and
 * reading its state never touch the ledger: the wallet is credited only by the settlement path
 * (WalletService on 'payment.succeeded', in the settlement statement), exactly once per payment.
 */
@Injectable()
export class WalletDepositsService {
  constructor(
    private readonly payments: PaymentsService,
    private readonly wallets: WalletService,
  ) {}

  async start(userId: string, email: string, input: StartDeposit): Promise<DepositResponseDto> {
    const wallet = await this.wallets.walletAccountOf(userId);
    const payment = await this.payments.createPayment(
      userId,
      {
        amount: input.amount,
        currency: wallet.currency,
        email,
        gateway: input.gateway,
        purpose: 'wallet_deposit',
        callbackUrl: input.callbackUrl,
      },
      { claim: input.idempotency ?? null, respond: toDepositDto },
    );
    return toDepositDto(payment);
  }

  /** Only reads the payment: a status poll never credits (only settlement does). */
  async status(userId: string, reference: string): Promise<DepositStatusDto> {
    const payment = await this.payments.getForUser(userId, reference);
    if (payment.purpose !== 'wallet_deposit') throw notFound('Deposit');
    return {
      reference: payment.reference,
      status: payment.status,
      amount: payment.amount,
      currency: payment.currency,
      gateway: payment.gateway,
    };
  }
}
