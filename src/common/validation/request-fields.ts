import { applyDecorators } from '@nestjs/common';
import { IsEmail, IsInt, IsString, IsUrl, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_MINOR } from '../money.js';

// The rules request fields share across DTOs, kept in one place so a payment, a checkout session,
// an order and a refund bound the same field the same way. Each list is bottom-up, the order in
// which TypeScript applies stacked decorators, so validation messages come out as before.

/** A positive whole amount in the currency's minor unit, at most MAX_MINOR. */
export const IsMinorAmount = (): PropertyDecorator =>
  applyDecorators(Max(MAX_MINOR), Min(1), IsInt());

/** An upper-case ISO-4217 code. */
export const IsCurrencyCode = (): PropertyDecorator =>
  applyDecorators(
    Matches(/^[A-Z]{3}$/, { message: 'currency must be an upper-case ISO-4217 code' }),
    IsString(),
  );

/** An e-mail address of at most 254 characters (RFC 5321's path limit). */
export const IsEmailAddress = (): PropertyDecorator => applyDecorators(MaxLength(254), IsEmail());

/** An absolute http(s) URL of at most 2048 characters: where a payer is sent back to. */
export const IsReturnUrl = (): PropertyDecorator =>
  applyDecorators(
    MaxLength(2048),
    IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }),
  );
