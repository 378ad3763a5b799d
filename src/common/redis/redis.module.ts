import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config.js';
import { BULL_REDIS, REDIS } from './redis.tokens.js';

const logger = new Logger('Redis');

function withErrorLog(client: Redis, name: string): Redis {
  let lastLogged = 0;
  client.on('error', (error: Error) => {
    // ioredis emits on every reconnect attempt; one line every 10 s is enough to see an outage
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now();
      logger.warn(`${name} connection error: ${error.message}`);
    }
  });
  return client;
}

export function createFastFailRedis(url: string): Redis {
  return withErrorLog(
    new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    }),
    'fast-fail',
  );
}

export function createBullRedis(url: string): Redis {
  return withErrorLog(
    new Redis(url, {
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    }),
    'bullmq',
  );
}

/** QUIT when connected (flushes pending replies); a client that is reconnecting is just dropped. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }
  client.disconnect();
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => createFastFailRedis(config.redisUrl),
    },
    {
      provide: BULL_REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => createBullRedis(config.redisUrl),
    },
  ],
  exports: [REDIS, BULL_REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(BULL_REDIS) private readonly bullRedis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([closeRedis(this.redis), closeRedis(this.bullRedis)]);
  }
}
