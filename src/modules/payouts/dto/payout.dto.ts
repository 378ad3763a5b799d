import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { MAX_MINOR } from '../../../common/money.js';
import { PageQueryDto } from '../../../common/pagination/page.dto.js';
import { IsOmittable } from '../../../common/validation/omittable.js';

export const PAYOUT_GATEWAYS = ['paystack', 'flutterwave'] as const;
export type PayoutGatewayName = (typeof PAYOUT_GATEWAYS)[number];
export const RECIPIENT_TYPES = ['bank_account', 'mobile_money'] as const;
export const PAYOUT_STATUSES = [
  'pending_approval',
  'pending',
  'processing',
  'requires_otp',
  'succeeded',
  'failed',
  'reversed',
  'rejected',
] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export class BanksQueryDto {
  @ApiProperty({ enum: PAYOUT_GATEWAYS, example: 'paystack' })
  @IsIn(PAYOUT_GATEWAYS)
  gateway: PayoutGatewayName;

  @ApiPropertyOptional({ description: 'ISO-4217; default the wallet currency', example: 'NGN' })
  @IsOmittable()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be 3 capital letters' })
  currency?: string;
}

export class BankDto {
  @ApiProperty({ description: "The gateway's bank code", example: '058' }) code: string;
  @ApiProperty({ example: 'Guaranty Trust Bank' }) name: string;
  @ApiProperty({ description: 'nuban, mobile_money, ghipss, …', example: 'nuban' }) type: string;
}

export class BanksResponseDto {
  @ApiProperty({ type: [BankDto] }) banks: BankDto[];
}

export class CreateRecipientDto {
  @ApiProperty({ enum: PAYOUT_GATEWAYS, example: 'paystack' })
  @IsIn(PAYOUT_GATEWAYS)
  gateway: PayoutGatewayName;

  @ApiProperty({ enum: RECIPIENT_TYPES, example: 'bank_account' })
  @IsIn(RECIPIENT_TYPES)
  type: (typeof RECIPIENT_TYPES)[number];

  @ApiProperty({ description: 'Digits only, 6 to 20', example: '0001234567' })
  @Matches(/^\d{6,20}$/, { message: 'account_number must be 6 to 20 digits' })
  account_number: string;

  @ApiProperty({ description: 'From GET /banks', example: '058' })
  @Matches(/^[A-Za-z0-9-]{1,20}$/, { message: 'bank_code must be 1 to 20 letters or digits' })
  bank_code: string;

  @ApiProperty({ description: "ISO-4217; must be the wallet's to withdraw to it", example: 'NGN' })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be 3 capital letters' })
  currency: string;

  @ApiPropertyOptional({ example: 'Salary account' })
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  nickname?: string;
}

export class RecipientDto {
  @ApiProperty({ example: '6f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' }) id: string;
  @ApiProperty({ enum: PAYOUT_GATEWAYS, example: 'paystack' }) gateway: string;
  @ApiProperty({ enum: RECIPIENT_TYPES, example: 'bank_account' }) type: string;
  @ApiProperty({ description: 'As the gateway resolved it', example: 'ADA LOVELACE' })
  account_name: string;
  @ApiProperty({ description: 'The full number is never shown', example: '4567' })
  account_number_last4: string;
  @ApiProperty({ example: '058' }) bank_code: string;
  @ApiProperty({ type: String, example: 'Guaranty Trust Bank', nullable: true }) bank_name:
    string | null;
  @ApiProperty({ example: 'NGN' }) currency: string;
  @ApiProperty({ type: String, example: 'Salary account', nullable: true }) nickname: string | null;
  @ApiProperty({ example: '2026-01-22T12:34:56.000Z' }) created_at: string;
}

export class RecipientListDto {
  @ApiProperty({ type: [RecipientDto] }) recipients: RecipientDto[];
  @ApiProperty({ type: String, nullable: true, example: null }) next_cursor: string | null;
}

export class CreateWithdrawalDto {
  @ApiProperty({ description: 'Minor units', example: 50000 })
  @IsInt()
  @Min(1)
  @Max(MAX_MINOR)
  amount: number;

  @ApiProperty({
    description: 'A recipient of yours',
    example: '6f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f',
  })
  @IsUUID()
  recipient_id: string;

  @ApiPropertyOptional({ example: 'Weekly payout' })
  @IsOmittable()
  @IsString()
  @MaxLength(100)
  narration?: string;
}

export class PayoutDto {
  @ApiProperty({ example: '6f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' }) id: string;
  @ApiProperty({ example: 'WDR-20260122123456-AB12CD34' }) reference: string;
  @ApiProperty({ description: 'Minor units', example: 50000 }) amount: number;
  @ApiProperty({ example: 'NGN' }) currency: string;
  @ApiProperty({ enum: PAYOUT_STATUSES, example: 'pending' }) status: string;
  @ApiProperty({ type: RecipientDto }) recipient: RecipientDto;
  @ApiProperty({ type: String, nullable: true, example: 'Weekly payout' }) narration: string | null;
  @ApiProperty({ enum: PAYOUT_GATEWAYS, example: 'paystack' }) gateway: string;
  @ApiProperty({
    type: String,
    description: 'Why it failed, as the gateway said',
    nullable: true,
    example: null,
  })
  failure_reason: string | null;
  @ApiProperty({ example: true }) livemode: boolean;
  @ApiProperty({ example: '2026-01-22T12:34:56.000Z' }) created_at: string;
  @ApiProperty({ type: String, nullable: true, example: null }) completed_at: string | null;
}

export class PayoutListDto {
  @ApiProperty({ type: [PayoutDto] }) withdrawals: PayoutDto[];
  @ApiProperty({ type: String, nullable: true, example: null }) next_cursor: string | null;
}

export class ListPayoutsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PAYOUT_STATUSES })
  @IsOmittable()
  @IsIn(PAYOUT_STATUSES)
  status?: PayoutStatus;
}

export class RejectPayoutDto {
  @ApiProperty({ description: 'Why, kept with the decision', example: 'Account under review' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  note: string;
}

export class FinalizePayoutDto {
  @ApiProperty({ description: 'The OTP Paystack sent', example: '928783' })
  @Matches(/^\d{4,8}$/, { message: 'otp must be 4 to 8 digits' })
  otp: string;
}

export class AdminPayoutDto extends PayoutDto {
  @ApiProperty({ example: '6f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' }) user_id: string;
  @ApiProperty({ type: String, nullable: true, example: null }) approved_by: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) approved_at: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) rejected_by: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) rejected_at: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) rejection_note: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) finalized_by: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) finalized_at: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) last_error: string | null;
}

export class AdminPayoutListDto {
  @ApiProperty({ type: [AdminPayoutDto] }) payouts: AdminPayoutDto[];
  @ApiProperty({ type: String, nullable: true, example: null }) next_cursor: string | null;
}
