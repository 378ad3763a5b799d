import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsIn, IsString, IsUrl, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto, PageResponseDto } from '../../common/pagination/page.dto.js';
import { DISPUTE_STATUSES, type DisputeStatus } from './dispute-status.js';
import { IsOmittable } from '../../common/validation/omittable.js';

export class DisputeResponseDto {
  @ApiProperty({ example: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' }) id: string;
  @ApiProperty({ example: 'PAY-20260122123456-AB12CD34' }) payment_reference: string;
  @ApiProperty({ example: 'stripe' }) gateway: string;
  @ApiProperty({ description: 'Disputed amount, minor units', example: 500000 }) amount: number;
  @ApiProperty({
    description:
      'What the dispute holds from the owner (a wallet deposit: taken from the wallet while open, returned if won): the disputed amount less what refunds made before the dispute already paid back',
    example: 500000,
  })
  amount_held: number;
  @ApiProperty({ example: 'NGN' }) currency: string;
  @ApiProperty({ example: 'fraudulent', nullable: true, type: String }) reason: string | null;
  @ApiProperty({ enum: DISPUTE_STATUSES, example: 'open' }) status: DisputeStatus;
  @ApiProperty({
    description: 'Evidence deadline set by the gateway',
    example: '2026-01-29T12:00:00.000Z',
    nullable: true,
    type: String,
  })
  due_by: string | null;
  @ApiProperty({ example: null, nullable: true, type: String })
  evidence_submitted_at: string | null;
  @ApiProperty({ example: '2026-01-22T12:34:56.000Z' }) created_at: string;
}

export class DisputeListResponseDto extends PageResponseDto {
  @ApiProperty({ type: [DisputeResponseDto] }) disputes: DisputeResponseDto[];
}

export class DisputeListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DISPUTE_STATUSES, example: 'open' })
  @IsOmittable()
  @IsIn(DISPUTE_STATUSES)
  status?: DisputeStatus;
}

export class DisputeEvidenceDto {
  @ApiProperty({
    description: 'What the merchant says happened (shown to the card issuer)',
    example: 'The customer received the goods on 2026-01-20; signed delivery note attached.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  text: string;

  @ApiPropertyOptional({
    description: 'Links to documents already uploaded somewhere the gateway can fetch them',
    example: ['https://files.example.com/delivery-note.pdf'],
    type: [String],
  })
  @IsOmittable()
  @ArrayMaxSize(10)
  @IsUrl({ protocols: ['https'], require_protocol: true }, { each: true })
  @MaxLength(2000, { each: true })
  uploaded_file_urls?: string[];
}

export interface DisputeRow {
  id: string;
  payment_id: string;
  payment_reference: string;
  user_id: string;
  gateway: string;
  gateway_dispute_id: string;
  amount: string;
  hold_amount: string;
  currency: string;
  reason: string | null;
  status: DisputeStatus;
  due_by: Date | null;
  evidence_submitted_at: Date | null;
  created_at: Date;
}

export function toDisputeDto(row: DisputeRow): DisputeResponseDto {
  return {
    id: row.id,
    payment_reference: row.payment_reference,
    gateway: row.gateway,
    amount: Number(row.amount),
    amount_held: Number(row.hold_amount),
    currency: row.currency,
    reason: row.reason,
    status: row.status,
    due_by: row.due_by ? new Date(row.due_by).toISOString() : null,
    evidence_submitted_at: row.evidence_submitted_at
      ? new Date(row.evidence_submitted_at).toISOString()
      : null,
    created_at: new Date(row.created_at).toISOString(),
  };
}
