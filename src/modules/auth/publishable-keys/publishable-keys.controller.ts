import { Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, JwtOnly } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { PublishableKeysService, type PublishableKey } from './publishable-keys.service.js';

class PublishableKeyDto {
  @ApiProperty({
    description:
      'The publishable key: safe to put in a web page; it can only create and read your checkout sessions',
    example: 'pk_test_3q2VbW9x0dJm7nZ8b6YtPq1s4uKc5rLe',
  })
  key: string;

  @ApiProperty({ description: 'False for a pk_test_ key (TEST_MODE)', example: false })
  livemode: boolean;

  @ApiProperty({ description: 'When this key was made', example: '2026-01-22T12:34:56.000Z' })
  created_at: string;
}

const toDto = (key: PublishableKey): PublishableKeyDto => ({
  key: key.key,
  livemode: key.livemode,
  created_at: key.createdAt.toISOString(),
});

@ApiTags('api-keys')
@JwtOnly()
@Controller('keys/publishable')
export class PublishableKeysController {
  constructor(private readonly keys: PublishableKeysService) {}

  @Get()
  @ApiOperation({
    summary: 'Your publishable key',
    description: 'pk_test_… while TEST_MODE is on, pk_live_… otherwise; the same key until rolled.',
  })
  @ApiOkResponse({ type: PublishableKeyDto })
  @Header('Cache-Control', 'no-store')
  async get(@CurrentPrincipal() principal: Principal): Promise<PublishableKeyDto> {
    return toDto(await this.keys.get(principal.userId));
  }

  @Post('roll')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace your publishable key',
    description: 'The old key stops working at once.',
  })
  @ApiOkResponse({ type: PublishableKeyDto })
  @Header('Cache-Control', 'no-store')
  async roll(@CurrentPrincipal() principal: Principal): Promise<PublishableKeyDto> {
    return toDto(await this.keys.roll(principal.userId));
  }
}
