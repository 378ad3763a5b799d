import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config.js';
import { setJobContextLogger } from './job-context.js';
import { BULL_REDIS } from '../common/redis/redis.tokens.js';
import { DEFAULT_JOB_OPTIONS } from './job-defaults.js';
import type { QueueName } from './queue-names.js';
import { bullPrefix } from './queue-producer.service.js';

interface Schedule {
  queue: QueueName;
  jobName: string;
  everyMs: number;
}

/**
 * Starts the BullMQ workers and repeating schedules in processes whose role runs workers, keeps
 * the schedules registered across Redis restarts, and stops workers without hanging on shutdown.
 */
@Injectable()
export class WorkerRunner
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(WorkerRunner.name);
  private readonly schedules: Schedule[] = [];
  private readonly schedulerQueues = new Map<QueueName, Queue>();
  private hosts: WorkerHost[] = [];
  private readonly onReady = () => this.upsertSchedules();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly config: AppConfig,
    @Inject(BULL_REDIS) private readonly redis: Redis,
    pino: PinoLogger,
  ) {
    setJobContextLogger(pino);
  }

  /** Registers a repeating job; call from a module's constructor or onModuleInit. */
  every(queue: QueueName, jobName: string, everyMs: number): void {
    this.schedules.push({ queue, jobName, everyMs });
  }

  onApplicationBootstrap(): void {
    if (!this.config.runsWorkers) return;
    this.hosts = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    for (const host of this.hosts) {
      host.worker.on('error', (error: Error) =>
        this.logger.warn(`worker ${host.worker.name}: ${error.message}`),
      );
      host.worker
        .run()
        .catch((error: unknown) =>
          this.logger.error(`worker ${host.worker.name} stopped: ${String(error)}`),
        );
    }
    this.logger.log(`started ${this.hosts.length} worker(s)`);
    // Redis without persistence forgets schedulers when it restarts: re-upsert on every (re)connect.
    this.redis.on('ready', this.onReady);
    if (this.redis.status === 'ready') this.upsertSchedules();
  }

  /** Not awaited anywhere: while Redis is down the upsert waits for the reconnect, and boot must not. */
  private upsertSchedules(): void {
    for (const schedule of this.schedules) {
      // Idempotent across instances: the scheduler id is the job name.
      this.schedulerQueue(schedule.queue)
        .upsertJobScheduler(
          schedule.jobName,
          { every: schedule.everyMs },
          { name: schedule.jobName, data: {}, opts: { ...DEFAULT_JOB_OPTIONS, attempts: 1 } },
        )
        .catch((error: unknown) =>
          this.logger.warn(`could not schedule ${schedule.jobName}: ${String(error)}`),
        );
    }
  }

  private schedulerQueue(name: QueueName): Queue {
    let queue = this.schedulerQueues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis, prefix: bullPrefix(this.config) });
      queue.on('error', (error: Error) =>
        this.logger.warn(`scheduler queue ${name}: ${error.message}`),
      );
      this.schedulerQueues.set(name, queue);
    }
    return queue;
  }

  /**
   * Drains workers before the pools close. With Redis down a graceful close waits forever for the
   * blocking connection, so it is forced: the jobs they held are retried after their lock expires.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.redis.off('ready', this.onReady);
    const force = this.redis.status !== 'ready';
    await Promise.allSettled(this.hosts.map((host) => host.worker.close(force)));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.schedulerQueues.values()].map((queue) => queue.close()));
  }
}
