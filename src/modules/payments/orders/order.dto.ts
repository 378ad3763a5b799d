import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { Order } from './order.entity.js';
import { IsCurrencyCode, IsMinorAmount } from '../../../common/validation/request-fields.js';

export class CreateOrderDto {
  @ApiProperty({ description: 'Order total in the currency minor unit', example: 250000 })
  @IsMinorAmount()
  amount: number;

  @ApiProperty({ description: 'ISO-4217 currency code, upper case', example: 'NGN' })
  @IsCurrencyCode()
  currency: string;

  @ApiProperty({ description: "The merchant's own identifier for the order", example: 'rcpt_1001' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  receipt: string;
}

export class OrderResponseDto {
  @ApiProperty({ description: 'Order id', example: '3f1c2b7e-5d4a-4e8b-9c1d-2a3b4c5d6e7f' })
  id: string;

  @ApiProperty({ description: 'Total in the minor unit', example: 250000 })
  amount: number;

  @ApiProperty({ description: 'ISO-4217 currency', example: 'NGN' })
  currency: string;

  @ApiProperty({ description: "Merchant's identifier", example: 'rcpt_1001' })
  receipt: string;

  @ApiProperty({ description: 'created | paid', example: 'created' })
  status: string;

  @ApiProperty({
    description: 'When a payment for the full amount succeeded',
    example: null,
    nullable: true,
    type: String,
  })
  paid_at: string | null;

  @ApiProperty({ description: 'Creation time', example: '2026-01-22T12:34:56.000Z' })
  created_at: string;
}

export function toOrderDto(order: Order): OrderResponseDto {
  return {
    id: order.id,
    amount: order.amount,
    currency: order.currency,
    receipt: order.receipt,
    status: order.status,
    paid_at: order.paidAt?.toISOString() ?? null,
    created_at: order.createdAt.toISOString(),
  };
}
