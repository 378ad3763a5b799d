import { once } from 'node:events';
import { Controller, Get, Inject } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { Public } from '../../common/auth/auth.decorators.js';
import { REDIS } from '../../common/redis/redis.tokens.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /**
   * PING within `timeoutMs`. The fail-fast client refuses commands while (re)connecting, so a
   * connect in progress is given the same time to finish. Whatever happens, nothing is left behind
   * on the shared client: the wait for 'ready' is removed when the time is up (a Redis that accepts
   * connections but never answers would otherwise keep one listener per probe).
   */
  private async pingRedis(timeoutMs: number): Promise<string> {
    const signal = AbortSignal.timeout(timeoutMs);
    const timedOut = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(new Error('timeout')), { once: true }),
    );
    // Only the race below observes it; a probe that answers first must not leave it unhandled.
    timedOut.catch(() => undefined);
    if (this.redis.status === 'connecting' || this.redis.status === 'connect') {
      await once(this.redis, 'ready', { signal }).catch((error: unknown) => {
        throw signal.aborted ? new Error('timeout') : error;
      });
    }
    return Promise.race([this.redis.ping(), timedOut]);
  }

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis both answer' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; the body says which' })
  ready() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 2_000 }),
      async () => {
        const indicator = this.indicators.check('redis');
        try {
          const pong = await this.pingRedis(2_000);
          return pong === 'PONG' ? indicator.up() : indicator.down({ message: String(pong) });
        } catch (error) {
          return indicator.down({ message: (error as Error).message });
        }
      },
    ]);
  }
}
