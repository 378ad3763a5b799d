import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { BULL_REDIS } from '../common/redis/redis.tokens.js';
import { DEFAULT_JOB_OPTIONS } from './job-defaults.js';
import { ALL_QUEUES } from './queue-names.js';
import { bullPrefix, QueueProducer } from './queue-producer.service.js';
import { WorkerHeartbeat } from './worker-heartbeat.js';
import { WorkerRunner } from './worker-runner.service.js';
import { MaintenanceProcessor, MaintenanceTasks } from './maintenance.processor.js';
import { QueueMetricsCollector } from './queue-metrics.collector.js';

@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [AppConfig, BULL_REDIS],
      useFactory: (config: AppConfig, redis: Redis) => ({
        connection: redis,
        prefix: bullPrefix(config),
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
  ],
  providers: [
    QueueProducer,
    WorkerRunner,
    WorkerHeartbeat,
    MaintenanceTasks,
    MaintenanceProcessor,
    QueueMetricsCollector,
  ],
  exports: [BullModule, QueueProducer, WorkerRunner, MaintenanceTasks],
})
export class QueueModule {}
