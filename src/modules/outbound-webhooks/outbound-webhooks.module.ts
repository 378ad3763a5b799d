import { Module, OnModuleInit } from '@nestjs/common';
import { EndpointSecretsAtRest } from './endpoint-secrets-at-rest.js';
import { OutboundEventsService } from './outbound-events.service.js';
import { OutboxService } from './outbox.service.js';
import { WebhookDnsResolver } from './url-safety.js';
import {
  OutboundEventsController,
  WebhookDeliveriesController,
} from './webhook-deliveries.controller.js';
import { DeliveryLogService } from './delivery-log.service.js';
import { DeliveryProcessor } from './delivery.processor.js';
import { DeliverySender } from './delivery-sender.service.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { OutboxRelayProcessor } from './outbox-relay.processor.js';
import { OutboxRelayService } from './outbox-relay.service.js';

/**
 * Outbound webhooks. Other modules import it for OutboxService (record events inside their
 * transactions) and OutboxRelayService.kick() (relay sooner, after their commit).
 */
@Module({
  controllers: [WebhookEndpointsController, WebhookDeliveriesController, OutboundEventsController],
  providers: [
    OutboxService,
    WebhookDnsResolver,
    WebhookEndpointsService,
    DeliveryLogService,
    OutboundEventsService,
    OutboxRelayService,
    DeliverySender,
    DeliveryProcessor,
    OutboxRelayProcessor,
    EndpointSecretsAtRest,
  ],
  exports: [OutboxService, OutboxRelayService],
})
export class OutboundWebhooksModule implements OnModuleInit {
  constructor(private readonly secretsAtRest: EndpointSecretsAtRest) {}

  async onModuleInit(): Promise<void> {
    // Before anything signs: no endpoint secret stays in plain text or under a rotated-out key.
    await this.secretsAtRest.sealAll();
  }
}
