import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiPropertyOptional({ description: 'The request field at fault, as sent', example: 'amount' })
  field?: string;

  @ApiProperty({
    description: 'What is wrong with it',
    example: 'amount must be a positive integer',
  })
  message: string;
}

export class ErrorResponseDto {
  @ApiProperty({ description: 'HTTP status code, repeated', example: 422 })
  status_code: number;

  @ApiProperty({ description: 'Stable machine-readable code', example: 'INSUFFICIENT_FUNDS' })
  code: string;

  @ApiProperty({ description: 'Human-readable explanation', example: 'Wallet balance is too low' })
  message: string;

  @ApiProperty({ type: [ErrorDetailDto], description: 'Per-field or extra detail; may be empty' })
  details: ErrorDetailDto[];

  @ApiProperty({ description: 'Same value as the X-Request-Id header', example: '9f1c2b7e-…' })
  request_id: string;
}
