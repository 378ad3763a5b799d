import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsUUID } from 'class-validator';
import { IsMetadata, METADATA_API_SCHEMA } from '../../common/validation/metadata.validator.js';
import { GATEWAY_NAMES, type GatewayName } from '../gateways/gateway.interface.js';
import type { CheckoutSession } from './checkout-sessions.service.js';
import {
  IsCurrencyCode,
  IsEmailAddress,
  IsMinorAmount,
  IsReturnUrl,
} from '../../common/validation/request-fields.js';
import { IsOmittable } from '../../common/validation/omittable.js';

export class CreateCheckoutSessionDto {
  @ApiPropertyOptional({
    description:
      'An unpaid order of yours: the session takes its amount and currency. The only kind a publishable key may create.',
    example: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f',
  })
  @IsOmittable()
  @IsUUID()
  order_id?: string;

  @ApiPropertyOptional({
    description: 'Amount in the minor unit, without order_id',
    example: 500000,
  })
  @IsOmittable()
  @IsMinorAmount()
  amount?: number;

  @ApiPropertyOptional({ description: 'ISO-4217 code, with amount', example: 'NGN' })
  @IsOmittable()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({
    description: "The payer's email; without it the hosted page asks for one",
    example: 'payer@example.com',
  })
  @IsOmittable()
  @IsEmailAddress()
  email?: string;

  @ApiPropertyOptional({
    description: 'Offer only these gateways (default: every enabled one that takes the currency)',
    enum: GATEWAY_NAMES,
    isArray: true,
    example: ['paystack', 'test'],
  })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(GATEWAY_NAMES.length)
  @IsIn(GATEWAY_NAMES, { each: true })
  gateways?: GatewayName[];

  @ApiPropertyOptional({
    description:
      'Where the standalone page sends the payer after success (origin in CHECKOUT_ALLOWED_ORIGINS or CALLBACK_ALLOWED_ORIGINS)',
    example: 'https://shop.example.com/thanks',
  })
  @IsOmittable()
  @IsReturnUrl()
  success_url?: string;

  @ApiPropertyOptional({
    description: 'Where the standalone page sends a payer who gives up (same origin rule)',
    example: 'https://shop.example.com/cart',
  })
  @IsOmittable()
  @IsReturnUrl()
  cancel_url?: string;

  @ApiPropertyOptional({
    description: 'Kept with the session and copied onto its payment (at most 50 string values)',
    example: { cart_id: 'c_123' },
    ...METADATA_API_SCHEMA,
  })
  @IsOmittable()
  @IsMetadata()
  metadata?: Record<string, string>;
}

export class StartCheckoutPaymentDto {
  @ApiProperty({ description: 'The gateway the payer chose', enum: GATEWAY_NAMES, example: 'test' })
  @IsIn(GATEWAY_NAMES)
  gateway: GatewayName;

  @ApiPropertyOptional({
    description: "The payer's email, when the session has none",
    example: 'payer@example.com',
  })
  @IsOmittable()
  @IsEmailAddress()
  email?: string;
}

export class StartedCheckoutPaymentDto {
  @ApiProperty({ description: 'The payment reference', example: 'PAY-20260122123456-AB12CD34' })
  reference: string;

  @ApiProperty({
    description: "The gateway's page to send the payer to",
    example: 'https://checkout.paystack.com/0peioxfhpn',
  })
  authorization_url: string;
}

export class CheckoutSessionDto {
  @ApiProperty({ description: 'Session id', example: '9b2f6c1e-8d7a-4f3b-a1c2-3d4e5f6a7b8c' })
  id: string;

  @ApiProperty({
    description: 'The hosted checkout page',
    example: 'https://pay.example.com/api/v1/checkout/9b2f6c1e-8d7a-4f3b-a1c2-3d4e5f6a7b8c',
  })
  url: string;

  @ApiProperty({ description: 'open | processing | complete | expired', example: 'open' })
  status: string;

  @ApiProperty({ description: 'Minor units', example: 500000 })
  amount: number;

  @ApiProperty({ description: 'ISO-4217 code', example: 'NGN' })
  currency: string;

  @ApiProperty({
    description: 'After this it can no longer be paid',
    example: '2026-01-22T13:04:56.000Z',
  })
  expires_at: string;

  @ApiProperty({
    description: 'The latest payment made for it, once one exists',
    example: null,
    nullable: true,
    type: String,
  })
  payment_reference: string | null;

  @ApiProperty({
    description: "That payment's status",
    example: null,
    nullable: true,
    type: String,
  })
  payment_status: string | null;

  @ApiProperty({
    description: 'Why that payment failed, when it did',
    example: null,
    nullable: true,
    type: String,
  })
  failure_reason: string | null;

  @ApiProperty({ description: 'Order it pays', example: null, nullable: true, type: String })
  order_id: string | null;

  @ApiProperty({ description: 'False in TEST_MODE', example: true })
  livemode: boolean;

  @ApiProperty({ description: 'Creation time', example: '2026-01-22T12:34:56.000Z' })
  created_at: string;
}

export function toCheckoutSessionDto(session: CheckoutSession, url: string): CheckoutSessionDto {
  return {
    id: session.id,
    url,
    status: session.status,
    amount: session.amount,
    currency: session.currency,
    expires_at: session.expiresAt.toISOString(),
    payment_reference: session.paymentReference,
    payment_status: session.paymentStatus,
    failure_reason: session.failureReason,
    order_id: session.orderId,
    livemode: session.livemode,
    created_at: session.createdAt.toISOString(),
  };
}

export class CheckoutSessionStatusDto {
  @ApiProperty({ description: 'open | processing | complete | expired', example: 'processing' })
  status: string;

  @ApiProperty({ description: 'The latest payment', example: null, nullable: true, type: String })
  payment_reference: string | null;

  @ApiProperty({
    description: "That payment's status",
    example: null,
    nullable: true,
    type: String,
  })
  payment_status: string | null;

  @ApiProperty({ description: 'Why it failed', example: null, nullable: true, type: String })
  failure_reason: string | null;
}

export function toCheckoutStatusDto(session: CheckoutSession): CheckoutSessionStatusDto {
  return {
    status: session.status,
    payment_reference: session.paymentReference,
    payment_status: session.paymentStatus,
    failure_reason: session.failureReason,
  };
}
