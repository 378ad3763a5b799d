import { writeFile } from 'node:fs/promises';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { BULL_REDIS } from '../common/redis/redis.tokens.js';
import { AppConfig } from '../config/app-config.js';
import { queryRows } from '../database/sql.js';

export const WORKER_HEARTBEAT_INTERVAL_MS = 10_000;
/** A heartbeat older than this (three missed beats) means the worker is not working. */
export const WORKER_HEARTBEAT_MAX_AGE_MS = 3 * WORKER_HEARTBEAT_INTERVAL_MS;
const CHECK_TIMEOUT_MS = 5_000;

export interface Heartbeat {
  at: string;
  pid: number;
}

/**
 * In a process that runs workers, with WORKER_HEARTBEAT_FILE set: every 10 s the worker's own
 * Redis connection and PostgreSQL must answer, and then the file is rewritten. A process that is
 * stuck, or cut off from either, stops writing it, which is what the container healthcheck
 * (worker-health.ts) looks at: a check from outside the process could only say that Redis and
 * PostgreSQL are up, not that this worker can reach them.
 */
@Injectable()
export class WorkerHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHeartbeat.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    @Inject(BULL_REDIS) private readonly redis: Redis,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    const file = this.config.workerHeartbeatFile;
    if (!this.config.runsWorkers || file === undefined) return;
    const beat = () => void this.beat(file);
    beat();
    this.timer = setInterval(beat, WORKER_HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async beat(file: string): Promise<void> {
    try {
      await withTimeout(
        Promise.all([this.redis.ping(), queryRows(this.dataSource.manager, 'SELECT 1')]),
        CHECK_TIMEOUT_MS,
      );
      const heartbeat: Heartbeat = { at: new Date().toISOString(), pid: process.pid };
      await writeFile(file, JSON.stringify(heartbeat));
    } catch (error) {
      this.logger.warn(`no heartbeat: ${(error as Error).message}`);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Why the heartbeat in `file` does not show a working worker, or undefined when it does. */
export function heartbeatProblem(
  contents: string | undefined,
  now = Date.now(),
): string | undefined {
  if (contents === undefined) return 'no heartbeat written yet';
  let at: number;
  try {
    at = Date.parse((JSON.parse(contents) as Heartbeat).at);
  } catch {
    return 'the heartbeat file is not a heartbeat';
  }
  if (Number.isNaN(at)) return 'the heartbeat file is not a heartbeat';
  const age = now - at;
  return age > WORKER_HEARTBEAT_MAX_AGE_MS
    ? `the last heartbeat is ${Math.round(age / 1000)} s old`
    : undefined;
}
