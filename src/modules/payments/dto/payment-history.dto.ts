import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, MaxLength } from 'class-validator';

export class PaymentSummaryQueryDto {
  @ApiProperty({
    description:
      'Count payments created at or after this instant (ISO-8601 with a time zone), at most 366 days ago; ' +
      'the dashboard sends the start of the viewer’s day',
    example: '2026-01-22T00:00:00+01:00',
  })
  @MaxLength(40)
  @IsISO8601({ strict: true, strictSeparator: true })
  since: string;
}

export class PaymentSummaryDto {
  @ApiProperty({
    description: 'The instant counted from (UTC)',
    example: '2026-01-21T23:00:00.000Z',
  })
  since: string;

  @ApiProperty({
    description: 'How many of your payments created since then are in each state (absent: none)',
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { succeeded: 12, pending: 3, needs_review: 1 },
  })
  counts: Record<string, number>;

  @ApiProperty({ description: 'All of them', example: 16 })
  total: number;
}

export class PaymentAuditEntryDto {
  @ApiProperty({ description: 'Entry id, increasing in the order things happened', example: '41' })
  id: string;

  @ApiProperty({
    description:
      'transition (the payment moved), contradiction (a gateway said something a final state does not ' +
      'allow; recorded, not applied), accept or reject (an administrator’s decision on needs_review)',
    enum: ['transition', 'contradiction', 'accept', 'reject'],
    example: 'transition',
  })
  action: string;

  @ApiProperty({
    description: 'What caused it: webhook, verify, callback, reconcile, replay or admin',
    example: 'webhook',
  })
  source: string;

  @ApiProperty({ description: 'State before', example: 'pending' })
  from_status: string;

  @ApiProperty({ description: 'State after', example: 'succeeded' })
  to_status: string;

  @ApiProperty({
    description: 'Why, in words (e.g. an administrator’s note)',
    nullable: true,
    type: String,
    example: null,
  })
  note: string | null;

  @ApiProperty({ description: 'Who: an administrator or the system', enum: ['admin', 'system'] })
  actor: 'admin' | 'system';

  @ApiProperty({ description: 'When (ISO-8601 UTC)', example: '2026-01-22T12:35:01.000Z' })
  created_at: string;
}

export class PaymentAuditTrailDto {
  @ApiProperty({ description: 'The payment', example: 'PAY-20260122123456-AB12CD34' })
  reference: string;

  @ApiProperty({ type: [PaymentAuditEntryDto], description: 'Oldest first' })
  entries: PaymentAuditEntryDto[];

  @ApiProperty({
    description: 'True when there are more entries than the newest 500 answered here',
    example: false,
  })
  truncated: boolean;
}
