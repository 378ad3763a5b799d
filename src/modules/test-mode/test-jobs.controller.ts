import { Controller, Get } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import { AdminOnly } from '../../common/auth/auth.decorators.js';
import { notFound } from '../../common/errors/app-error.js';
import { AppConfig } from '../../config/app-config.js';
import { registeredQueues } from '../../queue/registered-queues.js';

class QueueJobCountsDto {
  @ApiProperty({ description: 'Queue name', example: 'inbound-webhooks' })
  name: string;
  @ApiProperty({ description: 'Jobs waiting to run', example: 0 })
  waiting: number;
  @ApiProperty({ description: 'Jobs running now', example: 0 })
  active: number;
  @ApiProperty({ description: 'Jobs scheduled for later (retries, repeats)', example: 2 })
  delayed: number;
  @ApiProperty({ description: 'Completed jobs still kept', example: 10 })
  completed: number;
  @ApiProperty({ description: 'Failed jobs still kept', example: 0 })
  failed: number;
}

class JobsStatusDto {
  @ApiProperty({ type: [QueueJobCountsDto], description: 'One entry per queue' })
  queues: QueueJobCountsDto[];
}

@ApiTags('test mode')
@Controller('test')
export class TestJobsController {
  /** Every queue the QueueModule registers: a queue added later is counted without a change here. */
  private readonly queues: Queue[];

  constructor(
    private readonly config: AppConfig,
    moduleRef: ModuleRef,
  ) {
    this.queues = registeredQueues(moduleRef);
  }

  @Get('jobs/status')
  @AdminOnly()
  @ApiOperation({
    summary: 'Job counts per queue (TEST_MODE only)',
    description: 'For tests that wait until the workers are idle. 404 when TEST_MODE is off.',
  })
  @ApiOkResponse({ type: JobsStatusDto })
  async status(): Promise<JobsStatusDto> {
    if (!this.config.testMode) throw notFound('Route');
    return {
      queues: await Promise.all(
        this.queues.map(async (queue) => {
          const counts = await queue.getJobCounts(
            'waiting',
            'active',
            'delayed',
            'completed',
            'failed',
          );
          return {
            name: queue.name,
            waiting: counts.waiting ?? 0,
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            completed: counts.completed ?? 0,
            failed: counts.failed ?? 0,
          };
        }),
      ),
    };
  }
}
