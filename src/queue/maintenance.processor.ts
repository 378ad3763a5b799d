import { Injectable, Logger } from '@nestjs/common';
import { WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { QueueName } from './queue-names.js';
import { QueueProcessor } from './queue-processor.decorator.js';

export type MaintenanceTask = () => Promise<unknown>;

/** Small periodic housekeeping tasks share one queue; each registers a handler by job name. */
@Injectable()
export class MaintenanceTasks {
  private readonly tasks = new Map<string, MaintenanceTask>();

  register(jobName: string, task: MaintenanceTask): void {
    if (this.tasks.has(jobName)) throw new Error(`maintenance task ${jobName} registered twice`);
    this.tasks.set(jobName, task);
  }

  get(jobName: string): MaintenanceTask | undefined {
    return this.tasks.get(jobName);
  }
}

@QueueProcessor(QueueName.Maintenance, { concurrency: 2 })
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(private readonly tasks: MaintenanceTasks) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const task = this.tasks.get(job.name);
    if (!task) {
      this.logger.warn(`no maintenance task named ${job.name}`);
      return undefined;
    }
    return task();
  }
}
