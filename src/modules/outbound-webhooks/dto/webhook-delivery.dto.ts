import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsUUID, Max, Min } from 'class-validator';
import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  RECORDED_EVENT_TYPES,
} from '../outbound-webhook.types.js';
import { PageQueryDto, PageResponseDto } from '../../../common/pagination/page.dto.js';
import { IsOmittable } from '../../../common/validation/omittable.js';

export class ListDeliveriesQueryDto {
  @ApiPropertyOptional({ description: 'Page size (1–100)', example: 20, default: 20 })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({
    description: 'How many deliveries to skip (newest first)',
    example: 0,
    default: 0,
  })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({
    description: 'Only deliveries in this state',
    enum: DELIVERY_STATUSES,
    example: 'failed',
  })
  @IsOmittable()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({
    description: 'Only deliveries to this endpoint',
    example: '0f8e3a52-3c1e-4d0b-9b8f-6b2f0c1d2e3f',
  })
  @IsOmittable()
  @IsUUID()
  endpoint_id?: string;
}

export class RetryDeliveryDto {
  @ApiPropertyOptional({
    description: 'Deliver again even though a 2xx was already received',
    example: false,
  })
  @IsOmittable()
  @IsBoolean()
  force?: boolean;
}

export class WebhookDeliveryDto {
  @ApiProperty({ description: 'Delivery id', example: '6a0c1e7e-2b1f-4c55-8d2e-0f9a8b7c6d5e' })
  id: string;

  @ApiProperty({
    description: 'The event (its id is the webhook-id header)',
    example: 'evt_Q2x9bL0pR7sT1uV3wX5yZ8aB',
  })
  event_id: string;

  @ApiProperty({
    description: 'Event type',
    enum: RECORDED_EVENT_TYPES,
    example: 'payment.success',
  })
  event_type: string;

  @ApiProperty({
    description: 'Endpoint it goes to',
    example: '0f8e3a52-3c1e-4d0b-9b8f-6b2f0c1d2e3f',
  })
  endpoint_id: string;

  @ApiProperty({
    description: 'pending until a 2xx (succeeded) or the last attempt (failed)',
    enum: DELIVERY_STATUSES,
    example: 'succeeded',
  })
  status: DeliveryStatus;

  @ApiProperty({ description: 'How many attempts have been made so far', example: 1 })
  attempt_count: number;

  @ApiProperty({
    description: 'When the next attempt is due (ISO-8601 UTC); null once succeeded or failed',
    example: null,
    nullable: true,
    type: String,
  })
  next_attempt_at: string | null;

  @ApiProperty({
    description: 'HTTP status of the last attempt; null if none answered',
    example: 200,
    nullable: true,
    type: Number,
  })
  last_status_code: number | null;

  @ApiProperty({
    description: 'Error of the last attempt, if any',
    example: null,
    nullable: true,
    type: String,
  })
  last_error: string | null;

  @ApiProperty({
    description: 'When the delivery was created (ISO-8601 UTC)',
    example: '2026-01-22T12:34:56.000Z',
  })
  created_at: string;

  @ApiProperty({
    description: 'When a 2xx was received (ISO-8601 UTC)',
    example: '2026-01-22T12:34:57.000Z',
    nullable: true,
    type: String,
  })
  delivered_at: string | null;
}

export class WebhookDeliveryAttemptDto {
  @ApiProperty({ description: '1 for the first attempt', example: 1 })
  attempt: number;

  @ApiProperty({
    description: 'HTTP status; null when no response came',
    example: 503,
    nullable: true,
    type: Number,
  })
  status_code: number | null;

  @ApiProperty({ description: 'How long the attempt took, in milliseconds', example: 84 })
  duration_ms: number;

  @ApiProperty({
    description: 'What went wrong without a response (timeout, refused URL, connection error)',
    example: null,
    nullable: true,
    type: String,
  })
  error: string | null;

  @ApiProperty({
    description: 'The first KiB of the response body',
    example: 'ok',
    nullable: true,
    type: String,
  })
  response_excerpt: string | null;

  @ApiProperty({
    description: 'When it was sent: its webhook-timestamp (ISO-8601 UTC)',
    example: '2026-01-22T12:34:56.000Z',
  })
  requested_at: string;
}

export class WebhookDeliveryDetailDto extends WebhookDeliveryDto {
  @ApiProperty({ type: [WebhookDeliveryAttemptDto], description: 'Every attempt, oldest first' })
  attempts: WebhookDeliveryAttemptDto[];
}

export class WebhookDeliveryListDto {
  @ApiProperty({ type: [WebhookDeliveryDto], description: 'Deliveries, newest first' })
  deliveries: WebhookDeliveryDto[];

  @ApiProperty({ description: 'How many match the filters in all', example: 42 })
  total: number;

  @ApiProperty({ description: 'Page size used', example: 20 })
  limit: number;

  @ApiProperty({ description: 'Offset used', example: 0 })
  offset: number;
}

export class ListEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only events of this type',
    enum: RECORDED_EVENT_TYPES,
    example: 'payment.success',
  })
  @IsOmittable()
  @IsIn(RECORDED_EVENT_TYPES)
  type?: string;
}

export class OutboundEventDto {
  @ApiProperty({
    description: 'Event id: the webhook-id of its deliveries',
    example: 'evt_Q2x9bL0pR7sT1uV3wX5yZ8aB',
  })
  id: string;

  @ApiProperty({
    description: 'Event type',
    enum: RECORDED_EVENT_TYPES,
    example: 'payment.success',
  })
  event: string;

  @ApiProperty({
    description: 'Unix seconds of the event, as in the webhook body',
    example: 1769085296,
  })
  timestamp: number;

  @ApiProperty({
    description: 'The object as its GET route showed it when the event happened',
    type: 'object',
    additionalProperties: true,
    example: {
      reference: 'PAY-20260122123456-AB12CD34',
      status: 'succeeded',
      amount: 500000,
      currency: 'NGN',
    },
  })
  data: Record<string, unknown>;

  @ApiProperty({
    description: 'When it was recorded (ISO-8601 UTC)',
    example: '2026-01-22T12:34:56.000Z',
  })
  created_at: string;
}

export class OutboundEventListDto extends PageResponseDto {
  @ApiProperty({ type: [OutboundEventDto], description: 'Events, newest first' })
  events: OutboundEventDto[];
}
