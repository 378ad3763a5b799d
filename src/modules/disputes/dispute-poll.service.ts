import { Injectable, Logger } from '@nestjs/common';
import { isDisputeCapable } from '../gateways/gateway.interface.js';
import { GatewayRegistry } from '../gateways/gateway.registry.js';
import { WebhookEventsService } from '../incoming-webhooks/webhook-events.service.js';
import { DisputesService } from './disputes.service.js';

/** Chargebacks created this long ago may still be open: each poll looks at all of them again. */
export const DISPUTE_POLL_WINDOW_DAYS = 120;

export interface DisputePollResult {
  applied: number;
  unchanged: number;
  unmatched: number;
}

/**
 * The repeating job for gateways whose disputes are polled, not pushed (Flutterwave's
 * `GET /v3/chargebacks`). Each chargeback is applied like a fetched webhook dispute: the
 * database moves the books once per state, so polling the same chargeback again changes nothing.
 * A chargeback on a payment we do not know is parked `unmatched` in the event store for an admin.
 */
@Injectable()
export class DisputePollService {
  private readonly logger = new Logger(DisputePollService.name);

  constructor(
    private readonly gateways: GatewayRegistry,
    private readonly disputes: DisputesService,
    private readonly events: WebhookEventsService,
  ) {}

  async pollAll(): Promise<DisputePollResult> {
    const result: DisputePollResult = { applied: 0, unchanged: 0, unmatched: 0 };
    const since = new Date(Date.now() - DISPUTE_POLL_WINDOW_DAYS * 86_400_000);
    for (const name of this.gateways.enabled()) {
      const gateway = this.gateways.get(name);
      if (!isDisputeCapable(gateway) || !gateway.listDisputes) continue;
      for (const dispute of await gateway.listDisputes(since)) {
        const outcome = await this.disputes.applyReport(name, dispute);
        if (outcome.status === 'processed') result.applied += 1;
        else if (outcome.status === 'ignored') result.unchanged += 1;
        else {
          result.unmatched += 1;
          await this.events.parkUnmatched({
            gateway: name,
            eventId: `chargeback.${dispute.gatewayDisputeId}.${dispute.gatewayStatus}`,
            type: 'chargeback.polled',
            normalized: {
              eventId: `chargeback.${dispute.gatewayDisputeId}.${dispute.gatewayStatus}`,
              type: 'chargeback.polled',
              kind: 'dispute',
              disputeId: dispute.gatewayDisputeId,
              reference: dispute.reference,
              gatewayPaymentId: dispute.gatewayPaymentId,
              selfAuthenticating: false,
            },
            payload: { ...dispute, dueBy: dispute.dueBy?.toISOString() ?? null },
            note: outcome.note ?? 'no payment for this chargeback',
          });
        }
      }
    }
    if (result.applied > 0 || result.unmatched > 0)
      this.logger.log(
        `polled disputes: ${result.applied} applied, ${result.unmatched} parked unmatched`,
      );
    return result;
  }
}
