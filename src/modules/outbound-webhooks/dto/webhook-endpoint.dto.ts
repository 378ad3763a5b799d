import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
} from 'class-validator';
import { OUTBOUND_EVENT_TYPES } from '../outbound-webhook.types.js';
import { PageQueryDto, PageResponseDto } from '../../../common/pagination/page.dto.js';
import { IsOmittable } from '../../../common/validation/omittable.js';

export const EVENT_FILTERS = [...OUTBOUND_EVENT_TYPES, '*'] as const;

const URL_OPTIONS = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_tld: false,
  require_valid_protocol: true,
};

export class CreateWebhookEndpointDto {
  @ApiProperty({
    description: 'Where events are POSTed: an http(s) URL that resolves to a public address',
    example: 'https://example.com/webhooks/payments',
  })
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_OPTIONS, { message: 'url must be an http or https URL' })
  url: string;

  @ApiProperty({
    description: 'Event types to receive; `*` receives every type',
    enum: EVENT_FILTERS,
    isArray: true,
    example: ['payment.success', 'refund.processed'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_FILTERS.length)
  @ArrayUnique()
  @IsIn(EVENT_FILTERS, {
    each: true,
    message: `each event must be one of ${EVENT_FILTERS.join(', ')}`,
  })
  events: string[];

  @ApiPropertyOptional({
    description: 'A note for yourself (at most 500 characters)',
    example: 'Order service, production',
  })
  @IsOmittable()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({
    description: 'New URL; checked like at creation',
    example: 'https://example.com/webhooks/v2',
  })
  @IsOmittable()
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_OPTIONS, { message: 'url must be an http or https URL' })
  url?: string;

  @ApiPropertyOptional({
    description: 'New event filter; replaces the old one',
    enum: EVENT_FILTERS,
    isArray: true,
    example: ['*'],
  })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_FILTERS.length)
  @ArrayUnique()
  @IsIn(EVENT_FILTERS, {
    each: true,
    message: `each event must be one of ${EVENT_FILTERS.join(', ')}`,
  })
  events?: string[];

  @ApiPropertyOptional({
    description: 'New note; null clears it',
    example: 'Order service',
    nullable: true,
    type: String,
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({
    description:
      'false pauses deliveries; true re-enables an endpoint (also one disabled by the system)',
    example: true,
  })
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}

export class ListWebhookEndpointsQueryDto extends PageQueryDto {}

export class WebhookEndpointDto {
  @ApiProperty({ description: 'Endpoint id', example: '0f8e3a52-3c1e-4d0b-9b8f-6b2f0c1d2e3f' })
  id: string;

  @ApiProperty({
    description: 'Where events are POSTed',
    example: 'https://example.com/webhooks/payments',
  })
  url: string;

  @ApiProperty({
    description: 'Event types it receives (`*` = all)',
    enum: EVENT_FILTERS,
    isArray: true,
    example: ['*'],
  })
  events: string[];

  @ApiProperty({ description: 'Your note', example: 'Order service', nullable: true, type: String })
  description: string | null;

  @ApiProperty({ description: 'Whether deliveries are made', example: true })
  enabled: boolean;

  @ApiProperty({
    description: 'Why the system disabled it (410 Gone, or failing for days); null otherwise',
    example: null,
    nullable: true,
    type: String,
  })
  disabled_reason: string | null;

  @ApiProperty({
    description:
      'Start of the current run of failed attempts; null when the last attempt succeeded',
    example: null,
    nullable: true,
    type: String,
  })
  failing_since: string | null;

  @ApiProperty({
    description:
      'While set, the secret replaced by the last rotation still signs beside the new one, until then',
    example: null,
    nullable: true,
    type: String,
  })
  previous_secret_expires_at: string | null;

  @ApiProperty({ description: 'Creation time (ISO-8601 UTC)', example: '2026-01-22T12:34:56.000Z' })
  created_at: string;

  @ApiProperty({ description: 'Last change (ISO-8601 UTC)', example: '2026-01-22T12:34:56.000Z' })
  updated_at: string;
}

export class CreatedWebhookEndpointDto extends WebhookEndpointDto {
  @ApiProperty({
    description: 'Signing secret (Standard Webhooks), shown this once: store it now',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwJ2xLqHk0aA4=',
  })
  secret: string;
}

export class WebhookEndpointListDto extends PageResponseDto {
  @ApiProperty({ type: [WebhookEndpointDto], description: 'Endpoints, newest first' })
  endpoints: WebhookEndpointDto[];
}
