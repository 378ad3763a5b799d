import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto, PageResponseDto } from '../../../common/pagination/page.dto.js';
import { PaymentResponseDto, toPaymentDto } from '../dto/payment.dto.js';
import { type Payment, PAYMENT_STATUSES } from '../payment.entity.js';
import { IsOmittable } from '../../../common/validation/omittable.js';

export class ResolvePaymentDto {
  @ApiProperty({
    description: 'accept: succeeded for what the gateway received; reject: failed (refund due)',
    enum: ['accept', 'reject'],
    example: 'accept',
  })
  @IsIn(['accept', 'reject'])
  action: 'accept' | 'reject';

  @ApiProperty({
    description: 'Why; kept with the decision',
    example: 'Customer confirmed the partial payment by phone',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note: string;
}

export class AdminPaymentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only payments in this state',
    enum: PAYMENT_STATUSES,
    example: 'needs_review',
  })
  @IsOmittable()
  @IsIn(PAYMENT_STATUSES)
  status?: string;
}

/** A payment as the admin routes show it: what its owner sees, and what a review needs. */
export class AdminPaymentResponseDto extends PaymentResponseDto {
  @ApiProperty({ description: 'The owner', example: '9b2e6d1a-0c4f-4e7b-8a3d-5f6e7a8b9c0d' })
  user_id: string;

  @ApiProperty({
    description: 'The amount the gateway reported, when it disagreed with the request',
    example: 450000,
    nullable: true,
    type: Number,
  })
  reported_amount: number | null;

  @ApiProperty({
    description: 'The currency the gateway reported',
    example: 'NGN',
    nullable: true,
    type: String,
  })
  reported_currency: string | null;

  @ApiProperty({
    description: 'The reference the gateway reported',
    example: 'PAY-20260122123456-AB12CD34',
    nullable: true,
    type: String,
  })
  reported_reference: string | null;

  @ApiProperty({
    description: 'accepted | rejected, once an admin decided',
    example: null,
    nullable: true,
    type: String,
  })
  resolution: string | null;

  @ApiProperty({
    description: 'The admin who decided',
    example: null,
    nullable: true,
    type: String,
  })
  resolved_by: string | null;

  @ApiProperty({ description: 'When', example: null, nullable: true, type: String })
  resolved_at: string | null;

  @ApiProperty({ description: "The admin's note", example: null, nullable: true, type: String })
  resolution_note: string | null;
}

export class AdminPaymentListResponseDto extends PageResponseDto {
  @ApiProperty({ type: [AdminPaymentResponseDto], description: 'Newest first' })
  payments: AdminPaymentResponseDto[];
}

export function toAdminPaymentDto(payment: Payment): AdminPaymentResponseDto {
  return Object.assign(toPaymentDto(payment), {
    user_id: payment.userId,
    reported_amount: payment.reportedAmount,
    reported_currency: payment.reportedCurrency,
    reported_reference: payment.reportedReference,
    resolution: payment.resolution,
    resolved_by: payment.resolvedBy,
    resolved_at: payment.resolvedAt?.toISOString() ?? null,
    resolution_note: payment.resolutionNote,
  });
}
