import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { PageQueryDto, PageResponseDto } from '../../../common/pagination/page.dto.js';
import {
  INBOUND_EVENT_STATUSES,
  type InboundWebhookEvent,
} from '../inbound-webhook-event.entity.js';
import { IsOmittable } from '../../../common/validation/omittable.js';

export class AdminWebhookEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only events in this state',
    enum: INBOUND_EVENT_STATUSES,
    example: 'unmatched',
  })
  @IsOmittable()
  @IsIn(INBOUND_EVENT_STATUSES)
  status?: string;
}

export class InboundWebhookEventDto {
  @ApiProperty({
    description: 'Stored event id (use it to replay)',
    example: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f',
  })
  id: string;

  @ApiProperty({ description: 'Gateway that sent it', example: 'paystack' })
  gateway: string;

  @ApiProperty({
    description: "The gateway's event id, or one derived from type, object id and status",
    example: 'charge.success.302961.success',
  })
  event_id: string;

  @ApiProperty({ description: "The gateway's event type", example: 'charge.success' })
  type: string;

  @ApiProperty({ description: 'payment | refund | ignored', example: 'payment' })
  kind: string;

  @ApiProperty({
    description: 'Our payment reference, if the event carries it',
    example: 'PAY-20260122123456-AB12CD34',
    nullable: true,
    type: String,
  })
  reference: string | null;

  @ApiProperty({
    description:
      'received | processed | unmatched | failed | ignored (processing: open, written by earlier versions)',
    example: 'unmatched',
  })
  status: string;

  @ApiProperty({ description: 'Processing attempts so far', example: 5 })
  attempts: number;

  @ApiProperty({
    description: 'Why it is not processed, or what processing noted',
    example: 'no payment with reference PAY-…',
    nullable: true,
    type: String,
  })
  last_error: string | null;

  @ApiProperty({
    description:
      'The body as the gateway signed it, minus card data and reusable tokens (e.g. Paystack’s ' +
      '`authorization`); null once INBOUND_PAYLOAD_RETENTION has passed',
    example: { event: 'charge.success', data: {} },
    nullable: true,
    type: Object,
  })
  payload: Record<string, unknown> | null;

  @ApiProperty({
    description:
      'Request headers, secrets and signatures removed; empty after INBOUND_PAYLOAD_RETENTION',
    example: { 'content-type': 'application/json' },
  })
  headers: Record<string, string>;

  @ApiProperty({ description: 'Arrival time', example: '2026-01-22T12:34:56.000Z' })
  received_at: string;

  @ApiProperty({
    description: 'When processing finished',
    example: null,
    nullable: true,
    type: String,
  })
  processed_at: string | null;
}

export class InboundWebhookEventListDto extends PageResponseDto {
  @ApiProperty({ type: [InboundWebhookEventDto], description: 'Newest first' })
  events: InboundWebhookEventDto[];
}

/** A stored event as the admin routes show it. */
export function toWebhookEventDto(event: InboundWebhookEvent): InboundWebhookEventDto {
  return {
    id: event.id,
    gateway: event.gateway,
    event_id: event.eventId,
    type: event.type,
    kind: event.kind,
    reference: event.reference,
    status: event.status,
    attempts: event.attempts,
    last_error: event.lastError,
    payload: event.payload,
    headers: event.headers,
    received_at: event.receivedAt.toISOString(),
    processed_at: event.processedAt?.toISOString() ?? null,
  };
}
