import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';
import { PERMISSIONS, type Permission } from '../../../common/auth/principal.js';
import { API_KEY_EXPIRIES, type ApiKeyExpiry } from './api-key-expiry.js';
import { PageQueryDto, PageResponseDto } from '../../../common/pagination/page.dto.js';

export class CreateApiKeyDto {
  @ApiProperty({
    description: 'A label to tell keys apart (1–100 characters)',
    example: 'checkout-service',
  })
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiProperty({
    description: 'What the key may do; a JWT may do everything, a key only these',
    enum: PERMISSIONS,
    isArray: true,
    example: ['read', 'transfer'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true })
  permissions: Permission[];

  @ApiProperty({
    description: 'Lifetime: one hour, one day, one calendar month or one year',
    enum: API_KEY_EXPIRIES,
    example: '1M',
  })
  @IsIn(API_KEY_EXPIRIES)
  expiry: ApiKeyExpiry;
}

export class RolloverApiKeyDto {
  @ApiProperty({
    description: 'Id of an expired key of yours',
    example: '5b0d7f0e-8c1a-4c8e-9a57-3f1f2c6d9e10',
  })
  @IsUUID()
  expired_key_id: string;

  @ApiProperty({ description: 'Lifetime of the new key', enum: API_KEY_EXPIRIES, example: '1Y' })
  @IsIn(API_KEY_EXPIRIES)
  expiry: ApiKeyExpiry;
}

export class ListApiKeysQueryDto extends PageQueryDto {}

export class ApiKeyDto {
  @ApiProperty({ description: 'Key id', example: '5b0d7f0e-8c1a-4c8e-9a57-3f1f2c6d9e10' })
  id: string;

  @ApiProperty({ description: 'Label given at creation', example: 'checkout-service' })
  name: string;

  @ApiProperty({
    description: 'API_KEY_PREFIX and the first 8 characters of the key',
    example: 'sk_live_Xk3v9QpL',
  })
  prefix: string;

  @ApiProperty({
    description: 'What the key may do',
    enum: PERMISSIONS,
    isArray: true,
    example: ['read', 'transfer'],
  })
  permissions: Permission[];

  @ApiProperty({
    description: 'When it was created (ISO-8601 UTC)',
    example: '2026-01-22T12:34:56.000Z',
  })
  created_at: string;

  @ApiProperty({
    description: 'When it stops working (ISO-8601 UTC)',
    example: '2026-02-22T12:34:56.000Z',
  })
  expires_at: string;

  @ApiProperty({ description: 'Revoked by its owner', example: false })
  revoked: boolean;

  @ApiProperty({ description: 'Past its expiry', example: false })
  expired: boolean;

  @ApiProperty({ description: 'Usable now: neither revoked nor expired', example: true })
  active: boolean;

  @ApiProperty({
    description: 'Last time it authenticated a request (to the minute); null if never',
    example: '2026-01-23T08:00:00.000Z',
    nullable: true,
    type: String,
  })
  last_used_at: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    description: 'The key itself, shown this once and never again: store it now',
    example: 'sk_live_Xk3v9QpLr2u8TfW0yZbA1cD4eF6gH7iJ9kL0mN2oP5q',
  })
  api_key: string;
}

export class ApiKeyListDto extends PageResponseDto {
  @ApiProperty({ type: [ApiKeyDto], description: 'Keys, newest first' })
  keys: ApiKeyDto[];
}
