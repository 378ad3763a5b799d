import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { REDIS } from '../common/redis/redis.tokens.js';
import { DEFAULT_JOB_OPTIONS, ENQUEUE_TIMEOUT_MS } from './job-defaults.js';
import { currentRequestId } from '../common/request/request-context.js';
import { REQUEST_ID_KEY } from './job-context.js';
import { QueueName } from './queue-names.js';

export class QueueUnavailableError extends Error {}

/** One job of an enqueueMany. */
export interface BulkJob<T extends object> {
  name: string;
  data: T;
  options?: JobsOptions;
  /** The request that caused it (see REQUEST_ID_KEY); none for work of the service's own. */
  requestId?: string;
}

/**
 * Enqueues from request paths. Its queues sit on the fail-fast Redis client, so while Redis is
 * down an enqueue throws at once instead of hanging the request; callers store their intent in
 * Postgres first and a sweeper enqueues whatever was missed.
 */
@Injectable()
export class QueueProducer implements OnApplicationShutdown {
  private readonly logger = new Logger(QueueProducer.name);
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.redis,
        prefix: bullPrefix(this.config),
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      queue.on('error', (error: Error) => this.logger.warn(`queue ${name}: ${error.message}`));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Adds a job or throws QueueUnavailableError within ENQUEUE_TIMEOUT_MS. */
  async enqueue<T extends object>(
    queue: QueueName,
    name: string,
    data: T,
    options: JobsOptions = {},
  ): Promise<void> {
    await this.enqueueMany(queue, [{ name, data, options, requestId: currentRequestId() }]);
  }

  /**
   * Adds jobs to one queue in one round trip (a MULTI of BullMQ's adds), or throws
   * QueueUnavailableError within ENQUEUE_TIMEOUT_MS. Each job carries the request id it was
   * given, as enqueue gives a job the current one.
   */
  async enqueueMany<T extends object>(queue: QueueName, jobs: BulkJob<T>[]): Promise<void> {
    if (jobs.length === 0) return;
    if (this.redis.status !== 'ready')
      throw new QueueUnavailableError(`Redis is ${this.redis.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new QueueUnavailableError('enqueue timed out')),
        ENQUEUE_TIMEOUT_MS,
      );
    });
    const bulk = jobs.map((job) => ({
      name: job.name,
      data: job.requestId ? { ...job.data, [REQUEST_ID_KEY]: job.requestId } : job.data,
      opts: job.options,
    }));
    try {
      const added =
        bulk.length === 1
          ? this.queue(queue).add(bulk[0].name, bulk[0].data, bulk[0].opts)
          : this.queue(queue).addBulk(bulk);
      await Promise.race([added, timeout]);
    } catch (error) {
      if (error instanceof QueueUnavailableError) throw error;
      throw new QueueUnavailableError((error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Like enqueue, but a Redis outage is logged and reported as false: a sweeper will retry. */
  async tryEnqueue<T extends object>(
    queue: QueueName,
    name: string,
    data: T,
    options: JobsOptions = {},
  ): Promise<boolean> {
    return this.tryEnqueueMany(queue, [{ name, data, options, requestId: currentRequestId() }]);
  }

  /** Like enqueueMany, but a Redis outage is logged and reported as false: a sweeper will retry. */
  async tryEnqueueMany<T extends object>(queue: QueueName, jobs: BulkJob<T>[]): Promise<boolean> {
    try {
      await this.enqueueMany(queue, jobs);
      return true;
    } catch (error) {
      const what = jobs.length === 1 ? jobs[0].name : `${jobs.length} jobs`;
      this.logger.warn(
        `could not enqueue ${queue}/${what} (${(error as Error).message}); the sweeper will retry`,
      );
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
  }
}

export function bullPrefix(config: AppConfig): string {
  return `${config.redisKeyPrefix}-bull`;
}
