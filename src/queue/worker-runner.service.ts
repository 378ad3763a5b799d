import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { BULL_REDIS } from '../common/redis/redis.tokens.js';
import { DEFAULT_JOB_OPTIONS } from './job-defaults.js';
import type { QueueName } from './queue-names.js';
import { bullPrefix } from './queue-producer.service.js';

interface Schedule {
  queue: QueueName;
  jobName: string;
  everyMs: number;
}

/** Starts the BullMQ workers and repeating schedules in processes whose role runs workers. */
@Injectable()
export class WorkerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerRunner.name);
  private readonly schedules: Schedule[] = [];
  private readonly schedulerQueues: Queue[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly config: AppConfig,
    @Inject(BULL_REDIS) private readonly redis: Redis,
  ) {}

  /** Registers a repeating job; call from a module's constructor or onModuleInit. */
  every(queue: QueueName, jobName: string, everyMs: number): void {
    this.schedules.push({ queue, jobName, everyMs });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runsWorkers) return;
    const hosts = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    for (const host of hosts) {
      host.worker.on('error', (error: Error) => this.logger.warn(`worker ${host.worker.name}: ${error.message}`));
      host.worker.run().catch((error: unknown) => this.logger.error(`worker ${host.worker.name} stopped: ${String(error)}`));
    }
    this.logger.log(`started ${hosts.length} worker(s)`);
    for (const schedule of this.schedules) {
      const queue = new Queue(schedule.queue, { connection: this.redis, prefix: bullPrefix(this.config) });
      this.schedulerQueues.push(queue);
      // Upserting is idempotent across instances: the scheduler id is the job name.
      await queue
        .upsertJobScheduler(
          schedule.jobName,
          { every: schedule.everyMs },
          { name: schedule.jobName, data: {}, opts: { ...DEFAULT_JOB_OPTIONS, attempts: 1 } },
        )
        .catch((error: unknown) => this.logger.warn(`could not schedule ${schedule.jobName}: ${String(error)}`));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.schedulerQueues.map((queue) => queue.close()));
  }
}
