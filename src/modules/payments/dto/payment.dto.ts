import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto, PageResponseDto } from '../../../common/pagination/page.dto.js';
import { IsMetadata, METADATA_API_SCHEMA } from '../../../common/validation/metadata.validator.js';
import { GATEWAY_NAMES } from '../../gateways/gateway.interface.js';
import {
  CAPTURE_MODES,
  type CaptureMode,
  type Payment,
  PAYMENT_STATUSES,
} from '../payment.entity.js';
import {
  IsCurrencyCode,
  IsEmailAddress,
  IsMinorAmount,
  IsReturnUrl,
} from '../../../common/validation/request-fields.js';
import { IsOmittable } from '../../../common/validation/omittable.js';

export class CreatePaymentDto {
  @ApiProperty({ description: 'Amount in the currency minor unit (kobo, cents)', example: 500000 })
  @IsMinorAmount()
  amount: number;

  @ApiProperty({ description: 'ISO-4217 currency code, upper case', example: 'NGN' })
  @IsCurrencyCode()
  currency: string;

  @ApiProperty({
    description: "The payer's email address (gateways require one)",
    example: 'payer@example.com',
  })
  @IsEmailAddress()
  email: string;

  @ApiProperty({
    description: 'Gateway to take the payment through',
    enum: GATEWAY_NAMES,
    example: 'paystack',
  })
  @IsIn(GATEWAY_NAMES)
  gateway: string;

  @ApiPropertyOptional({
    description:
      'Where to send the payer after the gateway (defaults to FRONTEND_CALLBACK_URL); must be on an origin in CALLBACK_ALLOWED_ORIGINS (422 CALLBACK_URL_NOT_ALLOWED)',
    example: 'https://shop.example.com/checkout/done',
  })
  @IsOmittable()
  @IsReturnUrl()
  callback_url?: string;

  @ApiPropertyOptional({
    description:
      'Free-form data kept with the payment: at most 50 keys of at most 40 characters, each value a string of at most 500',
    example: { cart_id: 'c_123' },
    ...METADATA_API_SCHEMA,
  })
  @IsOmittable()
  @IsMetadata()
  metadata?: Record<string, string>;

  @ApiPropertyOptional({
    description: 'Order this payment pays (same currency)',
    example: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f',
  })
  @IsOmittable()
  @IsUUID()
  order_id?: string;

  @ApiPropertyOptional({
    description:
      'automatic: the gateway takes the money at once. manual: it only authorizes; capture with POST /payments/{reference}/capture or void with /cancel (stripe, paypal and test; other gateways answer 422 CAPTURE_NOT_SUPPORTED)',
    enum: CAPTURE_MODES,
    default: 'automatic',
    example: 'manual',
  })
  @IsOmittable()
  @IsIn(CAPTURE_MODES)
  capture?: CaptureMode;
}

export class CapturePaymentDto {
  @ApiPropertyOptional({
    description:
      'What to capture, in the minor unit; at most what was authorized (422 CAPTURE_EXCEEDS_AUTHORIZED). Defaults to all of it; the rest of the authorization is released.',
    example: 30000,
  })
  @IsOmittable()
  @IsMinorAmount()
  amount?: number;
}

export class ListPaymentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only payments in this state',
    enum: PAYMENT_STATUSES,
    example: 'succeeded',
  })
  @IsOmittable()
  @IsIn(PAYMENT_STATUSES)
  status?: string;

  @ApiPropertyOptional({
    description: 'Only payments through this gateway',
    enum: GATEWAY_NAMES,
    example: 'paystack',
  })
  @IsOmittable()
  @IsIn(GATEWAY_NAMES)
  gateway?: string;
}

export class PaymentResponseDto {
  @ApiProperty({
    description: 'Our reference; letters, digits and -',
    example: 'PAY-20260122123456-AB12CD34',
  })
  reference: string;

  @ApiProperty({ description: 'Gateway the payment goes through', example: 'paystack' })
  gateway: string;

  @ApiProperty({ description: 'payment, or wallet_deposit for wallet top-ups', example: 'payment' })
  purpose: string;

  @ApiProperty({
    description:
      'pending | succeeded | failed | abandoned | needs_review, and for manual capture authorized | canceled',
    example: 'pending',
  })
  status: string;

  @ApiProperty({ description: 'automatic | manual', example: 'automatic' })
  capture: string;

  @ApiProperty({
    description: 'Manual capture: what the gateway authorized, once it has',
    example: null,
    nullable: true,
    type: Number,
  })
  amount_authorized: number | null;

  @ApiProperty({ description: 'Requested amount in the minor unit', example: 500000 })
  amount: number;

  @ApiProperty({ description: 'ISO-4217 currency', example: 'NGN' })
  currency: string;

  @ApiProperty({
    description: 'What the gateway actually received, once known',
    example: 500000,
    nullable: true,
    type: Number,
  })
  amount_received: number | null;

  @ApiProperty({ description: 'Refunded so far, minor unit', example: 0 })
  amount_refunded: number;

  @ApiProperty({ description: 'none | partial | full', example: 'none' })
  refund_status: string;

  @ApiProperty({
    description: 'open | won | lost when the payer disputed the payment (SPEC §17), else null',
    example: null,
    nullable: true,
    type: String,
  })
  disputed: string | null;

  @ApiProperty({ description: "Payer's email", example: 'payer@example.com' })
  email: string;

  @ApiProperty({
    description: 'Where the payer is sent back to',
    example: 'https://shop.example.com/done',
    nullable: true,
    type: String,
  })
  callback_url: string | null;

  @ApiProperty({
    description: 'Free-form data given at creation',
    example: { cart_id: 'c_123' },
    nullable: true,
    type: Object,
  })
  metadata: Record<string, unknown> | null;

  @ApiProperty({
    description: 'Order paid by this payment',
    example: null,
    nullable: true,
    type: String,
  })
  order_id: string | null;

  @ApiProperty({
    description: 'Send the payer here to pay',
    example: 'https://checkout.paystack.com/0peioxfhpn',
    nullable: true,
    type: String,
  })
  authorization_url: string | null;

  @ApiProperty({
    description: 'Gateway access code, where the gateway has one',
    example: '0peioxfhpn',
    nullable: true,
    type: String,
  })
  access_code: string | null;

  @ApiProperty({
    description: 'Why it failed or was abandoned',
    example: null,
    nullable: true,
    type: String,
  })
  failure_reason: string | null;

  @ApiProperty({
    description:
      'Why it needs review: ORDER_ALREADY_PAID or CHECKOUT_SESSION_ALREADY_PAID (another payment had already paid for it), or what the gateway reported that disagrees with the request',
    example: null,
    nullable: true,
    type: String,
  })
  review_reason: string | null;

  @ApiProperty({ description: 'Creation time', example: '2026-01-22T12:34:56.000Z' })
  created_at: string;

  @ApiProperty({ description: 'Last change', example: '2026-01-22T12:35:10.000Z' })
  updated_at: string;

  @ApiProperty({ description: 'When it succeeded', example: null, nullable: true, type: String })
  settled_at: string | null;

  @ApiProperty({
    description: 'After this a pending payment is abandoned (PAYMENT_EXPIRY)',
    example: '2026-01-23T12:34:56.000Z',
  })
  expires_at: string;

  @ApiProperty({
    description: 'False for payments through the built-in test gateway (TEST_MODE): no real money',
    example: true,
  })
  livemode: boolean;
}

export class PaymentListResponseDto extends PageResponseDto {
  @ApiProperty({ type: [PaymentResponseDto], description: 'Newest first' })
  payments: PaymentResponseDto[];
}

export class CallbackQueryDto {
  @ApiProperty({
    description: 'Payment reference the gateway echoes back',
    example: 'PAY-20260122123456-AB12CD34',
  })
  @IsString()
  @MaxLength(64)
  reference: string;
}

/** A payment as GET /payments/{reference} shows it; also the `data` of payment.* events. */
export function toPaymentDto(payment: Payment): PaymentResponseDto {
  return {
    reference: payment.reference,
    gateway: payment.gateway,
    purpose: payment.purpose,
    status: payment.status,
    capture: payment.captureMode,
    amount_authorized: payment.amountAuthorized,
    amount: payment.amount,
    currency: payment.currency,
    amount_received: payment.amountReceived,
    amount_refunded: payment.amountRefunded,
    refund_status: payment.refundStatus,
    disputed: payment.disputed,
    email: payment.email,
    callback_url: payment.callbackUrl,
    metadata: payment.metadata,
    order_id: payment.orderId,
    authorization_url: payment.authorizationUrl,
    access_code: payment.accessCode,
    failure_reason: payment.failureReason,
    review_reason: payment.reviewReason,
    created_at: payment.createdAt.toISOString(),
    updated_at: payment.updatedAt.toISOString(),
    settled_at: payment.settledAt?.toISOString() ?? null,
    expires_at: payment.expiresAt.toISOString(),
    livemode: payment.livemode,
  };
}
