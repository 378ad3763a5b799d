import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto, PageResponseDto } from '../../../common/pagination/page.dto.js';
import { type Refund, REFUND_STATUSES } from '../refund.entity.js';
import { IsMinorAmount } from '../../../common/validation/request-fields.js';
import { IsOmittable } from '../../../common/validation/omittable.js';

export class CreateRefundDto {
  @ApiPropertyOptional({
    description: 'Amount to refund in the minor unit; defaults to what remains refundable',
    example: 25000,
  })
  @IsOmittable()
  @IsMinorAmount()
  amount?: number;

  @ApiPropertyOptional({
    description: 'Why; shown to the payer where the gateway supports it',
    example: 'Item out of stock',
  })
  @IsOmittable()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class RefundCreatedResponseDto {
  @ApiProperty({ description: 'Refund id', example: '6f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' })
  id: string;

  @ApiProperty({ description: 'The refunded payment', example: 'PAY-20260122123456-AB12CD34' })
  payment_reference: string;

  @ApiProperty({ description: 'Minor units', example: 25000 })
  amount: number;

  @ApiProperty({ description: 'ISO-4217', example: 'NGN' })
  currency: string;

  @ApiProperty({
    description: 'Always pending: the gateway is asked asynchronously',
    example: 'pending',
  })
  status: string;

  @ApiProperty({
    description: 'Why, as given',
    example: 'Item out of stock',
    nullable: true,
    type: String,
  })
  reason: string | null;

  @ApiProperty({ description: 'ISO-8601 UTC', example: '2026-01-22T12:34:56.000Z' })
  created_at: string;
}

export class RefundResponseDto extends RefundCreatedResponseDto {
  @ApiProperty({
    description: 'pending | processing | succeeded | failed',
    enum: REFUND_STATUSES,
    example: 'succeeded',
  })
  declare status: string;

  @ApiProperty({ description: 'Why it failed', example: null, nullable: true, type: String })
  failure_reason: string | null;

  @ApiProperty({ description: "The payment's gateway", example: 'paystack' })
  gateway: string;

  @ApiProperty({
    description: 'user (API), admin (a rejected payment) or gateway (made in its dashboard)',
    example: 'user',
  })
  initiated_by: string;

  @ApiProperty({ description: 'ISO-8601 UTC', example: '2026-01-22T12:35:10.000Z' })
  updated_at: string;

  @ApiProperty({
    description: 'When it succeeded or failed',
    example: '2026-01-22T12:35:10.000Z',
    nullable: true,
    type: String,
  })
  completed_at: string | null;
}

export class RefundListResponseDto extends PageResponseDto {
  @ApiProperty({ type: [RefundResponseDto], description: 'Newest first' })
  refunds: RefundResponseDto[];
}

export class AdminRefundListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only refunds in this state',
    enum: REFUND_STATUSES,
    example: 'processing',
  })
  @IsOmittable()
  @IsIn(REFUND_STATUSES)
  status?: string;

  @ApiPropertyOptional({ description: 'true: only refunds parked for a person', example: 'true' })
  @IsOmittable()
  @IsIn(['true', 'false'])
  needs_attention?: string;
}

export const REFUND_RESOLUTIONS = ['resend', 'mark_succeeded', 'mark_failed'] as const;
export type RefundResolution = (typeof REFUND_RESOLUTIONS)[number];

export class ResolveRefundDto {
  @ApiProperty({
    description:
      'resend: the gateway has no such refund, call its refund API again; mark_succeeded: the refund is in the gateway dashboard; ' +
      'mark_failed: give up (the payment amount and any wallet debit are given back)',
    enum: REFUND_RESOLUTIONS,
    example: 'mark_succeeded',
  })
  @IsIn(REFUND_RESOLUTIONS)
  action: RefundResolution;

  @ApiProperty({
    description: 'Why; kept with the decision',
    example: 'Found refund 3018284 in the Paystack dashboard',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note: string;

  @ApiPropertyOptional({
    description: "With mark_succeeded: the gateway's id of the refund",
    example: '3018284',
  })
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  gateway_refund_id?: string;
}

export class RefundIdParamDto {
  @ApiProperty({ description: 'Refund id', example: '6f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' })
  @IsUUID()
  id: string;
}

export class AdminRefundResponseDto extends RefundResponseDto {
  @ApiProperty({ description: 'Owner', example: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' })
  user_id: string;

  @ApiProperty({
    description: "The gateway refund API's id",
    example: '3018284',
    nullable: true,
    type: String,
  })
  gateway_refund_id: string | null;

  @ApiProperty({
    description: "Another gateway id matched from a webhook (Paystack's refund_reference)",
    example: null,
    nullable: true,
    type: String,
  })
  gateway_refund_reference: string | null;

  @ApiProperty({
    description: 'The user or admin who started it',
    example: null,
    nullable: true,
    type: String,
  })
  initiated_by_user_id: string | null;

  @ApiProperty({ description: 'Whether the refund took the money out of a wallet', example: true })
  wallet_debited: boolean;

  @ApiProperty({ description: 'Gateway calls made', example: 1 })
  attempts: number;

  @ApiProperty({
    description: 'Last gateway call',
    example: '2026-01-22T12:35:00.000Z',
    nullable: true,
    type: String,
  })
  last_attempt_at: string | null;

  @ApiProperty({
    description: 'Last transient failure',
    example: null,
    nullable: true,
    type: String,
  })
  last_error: string | null;

  @ApiProperty({
    description: 'Why a person must look at it',
    example: null,
    nullable: true,
    type: String,
  })
  needs_attention: string | null;
}

export class AdminRefundListResponseDto extends PageResponseDto {
  @ApiProperty({ type: [AdminRefundResponseDto], description: 'Newest first' })
  refunds: AdminRefundResponseDto[];
}

/** A refund as GET /refunds/{id} shows it; also the `data` of refund.* events. */
export function toRefundDto(refund: Refund): RefundResponseDto {
  return {
    id: refund.id,
    payment_reference: refund.paymentReference,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    reason: refund.reason,
    failure_reason: refund.failureReason,
    gateway: refund.gateway,
    initiated_by: refund.initiatedBy,
    created_at: refund.createdAt.toISOString(),
    updated_at: refund.updatedAt.toISOString(),
    completed_at: refund.completedAt?.toISOString() ?? null,
  };
}

/** What POST /payments/{reference}/refunds answers (SPEC §8). */
export function toRefundCreatedDto(refund: Refund): RefundCreatedResponseDto {
  return {
    id: refund.id,
    payment_reference: refund.paymentReference,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    reason: refund.reason,
    created_at: refund.createdAt.toISOString(),
  };
}

/** A refund as the admin routes show it, with its working fields. */
export function toAdminRefundDto(refund: Refund): AdminRefundResponseDto {
  return Object.assign(toRefundDto(refund), {
    user_id: refund.userId,
    gateway_refund_id: refund.gatewayRefundId,
    gateway_refund_reference: refund.gatewayRefundReference,
    initiated_by_user_id: refund.initiatedByUserId,
    wallet_debited: refund.walletDebited,
    attempts: refund.attempts,
    last_attempt_at: refund.lastAttemptAt?.toISOString() ?? null,
    last_error: refund.lastError,
    needs_attention: refund.needsAttention,
  });
}
