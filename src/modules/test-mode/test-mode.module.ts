import { Module } from '@nestjs/common';
import { GatewaysModule } from '../gateways/gateways.module.js';
import { IncomingWebhooksModule } from '../incoming-webhooks/incoming-webhooks.module.js';
import { TestGatewayPageController } from './test-gateway-page.controller.js';
import { TestJobsController } from './test-jobs.controller.js';
import { TestModeService } from './test-mode.service.js';

/** TEST_MODE (SPEC §14): the test gateway's hosted page and event sender, and /test/jobs/status. */
@Module({
  imports: [GatewaysModule, IncomingWebhooksModule],
  controllers: [TestGatewayPageController, TestJobsController],
  providers: [TestModeService],
  exports: [TestModeService],
})
export class TestModeModule {}
