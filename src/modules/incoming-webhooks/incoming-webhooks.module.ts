import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GatewaysModule } from '../gateways/gateways.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { AdminWebhookEventsController } from './admin-webhook-events.controller.js';
import { InboundPayloadRetention } from './inbound-payload-retention.js';
import { InboundWebhookEvent } from './inbound-webhook-event.entity.js';
import { InboundWebhookSweeper } from './inbound-webhook-sweeper.js';
import { InboundWebhookService } from './inbound-webhook.service.js';
import { InboundWebhooksProcessor } from './inbound-webhooks.processor.js';
import { WebhookEventsService } from './webhook-events.service.js';
import { WebhookIntakeController } from './webhook-intake.controller.js';
import { WebhookIntakeService } from './webhook-intake.service.js';
import { WebhookVerificationMemo } from './webhook-verification-memo.js';

/**
 * Gateway webhooks, in: intake (the sender proven on the raw bytes, the event stored once, then
 * answered), the event store, the job that processes each stored event (payments settle through
 * SettlementService; refund events go to whoever handles 'inbound-webhook.refund': the refunds
 * module), the sweeper that enqueues what was
 * missed, payload retention, and the admins' list and replay.
 */
@Module({
  imports: [TypeOrmModule.forFeature([InboundWebhookEvent]), GatewaysModule, PaymentsModule],
  controllers: [WebhookIntakeController, AdminWebhookEventsController],
  providers: [
    WebhookIntakeService,
    WebhookVerificationMemo,
    InboundWebhookService,
    InboundWebhookSweeper,
    InboundPayloadRetention,
    InboundWebhooksProcessor,
    WebhookEventsService,
  ],
  exports: [WebhookEventsService, WebhookIntakeService],
})
export class IncomingWebhooksModule {}
