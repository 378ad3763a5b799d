import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_MINOR } from '../../../common/money.js';
import { PageQueryDto, PageResponseDto } from '../../../common/pagination/page.dto.js';
import { GATEWAY_NAMES, type GatewayName } from '../../gateways/gateway.interface.js';
import {
  WALLET_TRANSACTION_TYPES,
  type WalletTransactionStatus,
  type WalletTransactionType,
} from '../wallet-transaction.js';
import { IsReturnUrl } from '../../../common/validation/request-fields.js';
import { IsOmittable } from '../../../common/validation/omittable.js';

export class TransferRequestDto {
  @ApiProperty({
    description: "The recipient's 13-digit wallet number (its last digit is a Luhn check digit)",
    example: '4929215640015',
  })
  @IsString()
  @Matches(/^\d{13}$/, { message: 'wallet_number must be exactly 13 digits' })
  wallet_number: string;

  @ApiProperty({
    description: 'Amount in the minor unit of the wallet currency (kobo, cents)',
    example: 250000,
  })
  @IsInt({ message: 'amount must be an integer number of minor units' })
  @Min(1, { message: 'amount must be positive' })
  @Max(MAX_MINOR)
  amount: number;

  @ApiPropertyOptional({
    description: 'A note both sides see in their history',
    example: 'Rent, March',
  })
  @IsOmittable()
  @IsString()
  @MaxLength(255)
  narration?: string;
}

export class ListTransactionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only transactions of this type',
    enum: WALLET_TRANSACTION_TYPES,
    example: 'transfer_in',
  })
  @IsOmittable()
  @IsIn(WALLET_TRANSACTION_TYPES)
  type?: WalletTransactionType;
}

export class WalletResponseDto {
  @ApiProperty({
    description: 'The 13-digit wallet number to give to people who pay you',
    example: '4929215640015',
  })
  wallet_number: string;

  @ApiProperty({ description: 'Balance in the minor unit', example: 1250000 })
  balance: number;

  @ApiProperty({ description: 'ISO-4217 currency of the wallet', example: 'NGN' })
  currency: string;
}

export class BalanceResponseDto {
  @ApiProperty({ description: 'Balance in the minor unit', example: 1250000 })
  balance: number;

  @ApiProperty({ description: 'ISO-4217 currency of the wallet', example: 'NGN' })
  currency: string;
}

export class TransferResponseDto {
  @ApiProperty({
    description: 'The transfer reference both sides see',
    example: 'TRF-20260122123456-AB12CD34EF',
  })
  reference: string;

  @ApiProperty({
    description: 'Transfers are atomic: they succeed or are refused',
    example: 'success',
    enum: ['success'],
  })
  status: 'success';

  @ApiProperty({ description: 'Amount moved, in the minor unit', example: 250000 })
  amount: number;

  @ApiProperty({ description: 'ISO-4217 currency', example: 'NGN' })
  currency: string;

  @ApiProperty({ description: "The recipient's wallet number", example: '4929215640015' })
  recipient_wallet_number: string;
}

export class WalletTransactionDto {
  @ApiProperty({
    description: 'Wallet transaction id (one side of a ledger transfer)',
    example: '1042',
  })
  id: string;

  @ApiProperty({
    description:
      'deposit, transfer_in, transfer_out, refund (a deposit refunded out of the wallet) or refund_reversal ' +
      '(a failed refund given back)',
    enum: WALLET_TRANSACTION_TYPES,
    example: 'transfer_in',
  })
  type: WalletTransactionType;

  @ApiProperty({
    description: 'Always positive, in the minor unit; the type says which way it went',
    example: 250000,
  })
  amount: number;

  @ApiProperty({ description: 'ISO-4217 currency', example: 'NGN' })
  currency: string;

  @ApiProperty({
    description:
      'success; a refund that was given back because the gateway refund failed reads reversed',
    enum: ['success', 'reversed'],
    example: 'success',
  })
  status: WalletTransactionStatus;

  @ApiProperty({
    description: 'Transfer reference, or the payment reference of a deposit',
    example: 'TRF-20260122123456-AB12CD34EF',
  })
  reference: string;

  @ApiProperty({
    description: 'The other wallet of a transfer; null otherwise',
    example: '4929215640015',
    nullable: true,
    type: String,
  })
  counterparty_wallet_number: string | null;

  @ApiProperty({
    description: 'The note sent with a transfer',
    example: 'Rent, March',
    nullable: true,
    type: String,
  })
  narration: string | null;

  @ApiProperty({
    description: 'Wallet balance right after this transaction, in the minor unit',
    example: 1250000,
  })
  balance_after: number;

  @ApiProperty({
    description: 'When it happened (ISO-8601 UTC)',
    example: '2026-01-22T12:34:56.000Z',
  })
  created_at: string;
}

export class TransactionPageDto extends PageResponseDto {
  @ApiProperty({ type: [WalletTransactionDto], description: 'Newest first' })
  transactions: WalletTransactionDto[];
}

export class DepositRequestDto {
  @ApiProperty({
    description: 'Amount to add, in the minor unit of the wallet currency',
    example: 500000,
  })
  @IsInt({ message: 'amount must be an integer number of minor units' })
  @Min(1, { message: 'amount must be positive' })
  @Max(MAX_MINOR)
  amount: number;

  @ApiPropertyOptional({
    description: 'Gateway to pay through',
    enum: GATEWAY_NAMES,
    example: 'paystack',
    default: 'paystack',
  })
  @IsOmittable()
  @IsIn(GATEWAY_NAMES)
  gateway?: GatewayName;

  @ApiPropertyOptional({
    description:
      'Where to send the payer after the gateway (defaults to FRONTEND_CALLBACK_URL); must be on an origin in CALLBACK_ALLOWED_ORIGINS (422 CALLBACK_URL_NOT_ALLOWED)',
    example: 'https://app.example.com/wallet/topped-up',
  })
  @IsOmittable()
  @IsReturnUrl()
  callback_url?: string;
}

export class DepositResponseDto {
  @ApiProperty({
    description: 'Payment reference of the deposit',
    example: 'PAY-20260122123456-AB12CD34',
  })
  reference: string;

  @ApiProperty({
    description: "Send the payer here: the gateway's checkout",
    example: 'https://checkout.paystack.com/0peioxfhpn',
  })
  authorization_url: string;

  @ApiProperty({ description: 'Amount in the minor unit', example: 500000 })
  amount: number;

  @ApiProperty({ description: 'ISO-4217 currency (the wallet currency)', example: 'NGN' })
  currency: string;

  @ApiProperty({ description: 'Gateway taking the payment', example: 'paystack' })
  gateway: string;
}

export class DepositStatusDto {
  @ApiProperty({
    description: 'Payment reference of the deposit',
    example: 'PAY-20260122123456-AB12CD34',
  })
  reference: string;

  @ApiProperty({
    description:
      'The payment state: pending, succeeded (the wallet has been credited), failed, abandoned or needs_review',
    example: 'succeeded',
  })
  status: string;

  @ApiProperty({ description: 'Amount in the minor unit', example: 500000 })
  amount: number;

  @ApiProperty({ description: 'ISO-4217 currency', example: 'NGN' })
  currency: string;

  @ApiProperty({ description: 'Gateway taking the payment', example: 'paystack' })
  gateway: string;
}
