import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, ValidateNested } from 'class-validator';
import { PageQueryDto, PageResponseDto } from '../../../common/pagination/page.dto.js';
import { IsOmittable } from '../../../common/validation/omittable.js';

export class ListNotificationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'true: only notifications not read yet',
    example: 'true',
    enum: ['true', 'false'],
  })
  @IsOmittable()
  @IsIn(['true', 'false'], { message: 'unread must be true or false' })
  unread?: 'true' | 'false';
}

export class NotificationDto {
  @ApiProperty({ description: 'Notification id', example: '6f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' })
  id: string;

  @ApiProperty({
    description:
      'The event it tells of (payment.success, refund.processed, wallet.deposit.success, wallet.transfer.received, payout.succeeded, payout.failed, payout.reversed)',
    example: 'wallet.transfer.received',
  })
  type: string;

  @ApiProperty({ description: 'Short title', example: 'Money received: NGN 5,000.00' })
  title: string;

  @ApiProperty({
    description: 'One sentence',
    example: 'You received NGN 5,000.00 from wallet •••• 4821.',
  })
  body: string;

  @ApiProperty({
    description: 'The fields of the event it shows (amounts in the minor unit)',
    example: { reference: 'TRF-20260122123456-AB12CD34', amount: 500000, currency: 'NGN' },
    type: Object,
  })
  data: Record<string, unknown>;

  @ApiProperty({ description: 'When it was read', example: null, nullable: true, type: String })
  read_at: string | null;

  @ApiProperty({ description: 'When the event happened', example: '2026-01-22T12:34:56.000Z' })
  created_at: string;

  @ApiProperty({
    description:
      'Its email: pending (being sent or retried), sent, logged (no SMTP_URL: written to the log), failed (after NOTIFICATION_ATTEMPTS), skipped (switched off or none due)',
    example: 'sent',
    enum: ['pending', 'sent', 'logged', 'failed', 'skipped'],
  })
  email_status: string;
}

export class NotificationListDto extends PageResponseDto {
  @ApiProperty({ type: [NotificationDto], description: 'Newest first' })
  notifications: NotificationDto[];
}

export class ReadAllResultDto {
  @ApiProperty({ description: 'Notifications marked read now', example: 3 })
  marked_read: number;
}

/** Email switches by kind; one not given is left as it was (on unless turned off). */
export class EmailPreferencesDto {
  @ApiPropertyOptional({
    description:
      "Receipts to your payers for payments and refunds (SPEC §16: the merchant's switch)",
    example: true,
  })
  @IsOmittable()
  @IsBoolean()
  payment_receipts?: boolean;

  @ApiPropertyOptional({ description: 'Your wallet was credited by a deposit', example: true })
  @IsOmittable()
  @IsBoolean()
  wallet_deposits?: boolean;

  @ApiPropertyOptional({ description: 'Money from another wallet arrived', example: true })
  @IsOmittable()
  @IsBoolean()
  wallet_transfers?: boolean;

  @ApiPropertyOptional({
    description: 'A withdrawal to your bank account succeeded, failed or was reversed',
    example: true,
  })
  @IsOmittable()
  @IsBoolean()
  payouts?: boolean;
}

export class NotificationPreferencesDto {
  @ApiProperty({ type: EmailPreferencesDto, description: 'Every email switch, on or off' })
  email: Required<EmailPreferencesDto>;
}

export class UpdateNotificationPreferencesDto {
  @ApiProperty({
    type: EmailPreferencesDto,
    description: 'The switches to change; unknown ones are refused',
    example: { payment_receipts: false },
  })
  @IsObject()
  @ValidateNested()
  @Type(() => EmailPreferencesDto)
  email: EmailPreferencesDto;
}
