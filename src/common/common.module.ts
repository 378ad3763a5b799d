import { Global, Module, OnModuleInit } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { JobName, QueueName } from '../queue/queue-names.js';
import { MaintenanceTasks } from '../queue/maintenance.processor.js';
import { WorkerRunner } from '../queue/worker-runner.service.js';
import { dataKeyringProvider } from './crypto/data-key.provider.js';
import { DataKeyring } from './crypto/data-keyring.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { IdempotencyService } from './idempotency/idempotency.service.js';

@Global()
@Module({
  providers: [
    dataKeyringProvider,
    IdempotencyService,
    // Rate limits are a guard (RateLimitModule): they answer before an idempotency key is taken.
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
  exports: [DataKeyring, IdempotencyService],
})
export class CommonModule implements OnModuleInit {
  constructor(
    private readonly runner: WorkerRunner,
    private readonly tasks: MaintenanceTasks,
    private readonly idempotency: IdempotencyService,
  ) {}

  onModuleInit(): void {
    this.tasks.register(JobName.PurgeIdempotencyKeys, () => this.idempotency.purgeExpired());
    this.runner.every(QueueName.Maintenance, JobName.PurgeIdempotencyKeys, 3_600_000);
  }
}
