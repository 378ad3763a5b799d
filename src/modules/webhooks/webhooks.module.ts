import { Module, OnModuleInit } from '@nestjs/common';
import { EndpointSecretsAtRest } from './endpoint-secrets-at-rest.js';
import { OutboundEventsService } from './outbound-events.service.js';
import { OutboxService } from './outbox.service.js';
import { WebhookDnsResolver } from './url-safety.js';
import {
  OutboundEventsController,
  WebhookDeliveriesController,
} from './webhook-deliveries.controller.js';
import { WebhookDeliveriesService } from './webhook-deliveries.service.js';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookRelayProcessor } from './webhook-relay.processor.js';
import { WebhookRelayService } from './webhook-relay.service.js';

/**
 * Outbound webhooks. Other modules import it for OutboxService (record events inside their
 * transactions) and WebhookRelayService.kick() (relay sooner, after their commit).
 */
@Module({
  controllers: [WebhookEndpointsController, WebhookDeliveriesController, OutboundEventsController],
  providers: [
    OutboxService,
    WebhookDnsResolver,
    WebhookEndpointsService,
    WebhookDeliveriesService,
    OutboundEventsService,
    WebhookRelayService,
    WebhookDeliveryService,
    WebhookDeliveryProcessor,
    WebhookRelayProcessor,
    EndpointSecretsAtRest,
  ],
  exports: [OutboxService, WebhookRelayService],
})
export class WebhooksModule implements OnModuleInit {
  constructor(private readonly secretsAtRest: EndpointSecretsAtRest) {}

  async onModuleInit(): Promise<void> {
    // Before anything signs: no endpoint secret stays in plain text or under a rotated-out key.
    await this.secretsAtRest.sealAll();
  }
}
