import { getQueueToken } from '@nestjs/bullmq';
import type { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { ALL_QUEUES } from './queue-names.js';

/**
 * Every queue QueueModule registers (ALL_QUEUES), for what lists them all (the queue board, the
 * queue metrics, the test-mode job counts): a queue added later is listed with no change there.
 */
export function registeredQueues(moduleRef: ModuleRef): Queue[] {
  return ALL_QUEUES.map((name) => moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
}
