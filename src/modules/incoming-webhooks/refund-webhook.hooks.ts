import { Injectable } from '@nestjs/common';
import type { NormalizedWebhookEvent } from '../gateways/gateway.interface.js';

/** What became of a refund webhook. `unmatched` is retried for a minute, then parked. */
export type RefundEventOutcome = {
  status: 'processed' | 'ignored' | 'unmatched';
  note?: string;
  paymentId?: string;
};

export interface RefundWebhookHandler {
  /**
   * Called by the inbound webhook job for every stored `kind: 'refund'` event (already
   * signature-checked). Throwing makes the job retry with backoff.
   */
  handleRefundEvent(
    event: NormalizedWebhookEvent & { gateway: string; inboundEventId: string },
  ): Promise<RefundEventOutcome>;
}

/**
 * Lets the refunds module finish refunds from gateway webhooks without the payments module
 * depending on it: it registers here in onModuleInit. With no handler registered refund events are
 * stored and marked `ignored` (an admin can replay them later).
 */
@Injectable()
export class RefundWebhookHooks {
  private handler: RefundWebhookHandler | undefined;

  register(handler: RefundWebhookHandler): void {
    this.handler = handler;
  }

  get registered(): RefundWebhookHandler | undefined {
    return this.handler;
  }
}
