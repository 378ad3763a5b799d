import { Injectable } from '@nestjs/common';
import {
  type InboundDisputeEvent,
  OnAppEvent,
  type RefundEventOutcome,
} from '../events/app-events.js';
import { isDisputeCapable, type GatewayName } from '../gateways/gateway.interface.js';
import { GatewayRegistry } from '../gateways/gateway.registry.js';
import { DisputesService } from './disputes.service.js';

/**
 * Applies a stored dispute webhook: the webhook only says which dispute changed; what it now is
 * comes from the gateway's API (SPEC §7: applied after the gateway confirms).
 */
@Injectable()
export class DisputeWebhookHandler {
  constructor(
    private readonly gateways: GatewayRegistry,
    private readonly disputes: DisputesService,
  ) {}

  @OnAppEvent('inbound-webhook.dispute')
  async handle(event: InboundDisputeEvent): Promise<RefundEventOutcome> {
    if (!event.disputeId) return { status: 'ignored', note: 'the event names no dispute' };
    const gateway = this.gateways.get(event.gateway as GatewayName);
    if (!isDisputeCapable(gateway))
      return { status: 'ignored', note: `${event.gateway} disputes are not fetched` };
    const dispute = await gateway.getDispute(event.disputeId);
    const outcome = await this.disputes.applyReport(event.gateway, dispute);
    return { status: outcome.status, note: outcome.note, paymentId: outcome.paymentId };
  }
}
