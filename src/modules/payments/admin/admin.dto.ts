import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/page-query.dto.js';
import { PAYMENT_STATUSES } from '../payment.entity.js';

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
  @IsOptional()
  @IsIn(PAYMENT_STATUSES)
  status?: string;
}
