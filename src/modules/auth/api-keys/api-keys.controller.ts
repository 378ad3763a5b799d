import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, JwtOnly } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import {
  ApiKeyDto,
  ApiKeyListDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  ListApiKeysQueryDto,
  RolloverApiKeyDto,
} from './api-key.dto.js';
import { ApiKey } from './api-key.entity.js';
import { ApiKeysService } from './api-keys.service.js';
import { pageSize } from '../../../common/pagination/page.dto.js';

export function toApiKeyDto(key: ApiKey, now = Date.now()): ApiKeyDto {
  const revoked = key.revokedAt !== null;
  const expired = key.expiresAt.getTime() <= now;
  return {
    id: key.id,
    name: key.name,
    prefix: key.keyPrefix,
    permissions: key.permissions,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt.toISOString(),
    revoked,
    expired,
    active: !revoked && !expired,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
  };
}

@ApiTags('api-keys')
@JwtOnly()
@Controller('keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'The response carries the plain key (`api_key`) once; only its hash is stored. At most 5 active keys.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiErrors({
    400: 'Invalid name, permissions or expiry (VALIDATION_FAILED)',
    409: 'Already 5 active keys (API_KEY_LIMIT)',
  })
  @Header('Cache-Control', 'no-store')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    const { key, plain } = await this.apiKeys.create(principal.userId, body);
    return Object.assign(toApiKeyDto(key), { api_key: plain });
  }

  @Get()
  @ApiOperation({ summary: 'List your API keys, newest first (never the keys themselves)' })
  @ApiOkResponse({ type: ApiKeyListDto })
  @ApiErrors({ 400: 'Bad limit or cursor (VALIDATION_FAILED)' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListApiKeysQueryDto,
  ): Promise<ApiKeyListDto> {
    const page = await this.apiKeys.list(principal.userId, pageSize(query), query.cursor);
    const now = Date.now();
    return { keys: page.keys.map((key) => toApiKeyDto(key, now)), next_cursor: page.nextCursor };
  }

  @Post('rollover')
  @ApiOperation({
    summary: 'Replace an expired key',
    description:
      'Issues a new key with the same name and permissions as an expired one; the new plain key is shown once.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiErrors({
    400: 'Invalid body (VALIDATION_FAILED)',
    404: 'No such key of yours (NOT_FOUND)',
    409: 'Already 5 active keys (API_KEY_LIMIT)',
    422: 'The key has not expired (API_KEY_NOT_EXPIRED), or was revoked (API_KEY_REVOKED)',
  })
  @Header('Cache-Control', 'no-store')
  async rollover(
    @CurrentPrincipal() principal: Principal,
    @Body() body: RolloverApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    const { key, plain } = await this.apiKeys.rollover(
      principal.userId,
      body.expired_key_id,
      body.expiry,
    );
    return Object.assign(toApiKeyDto(key), { api_key: plain });
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a key: it stops working at once (idempotent)' })
  @ApiParam({ name: 'id', description: 'Key id', example: '5b0d7f0e-8c1a-4c8e-9a57-3f1f2c6d9e10' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiErrors({ 404: 'No such key of yours (NOT_FOUND)' })
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<ApiKeyDto> {
    return toApiKeyDto(await this.apiKeys.revoke(principal.userId, id));
  }
}
