import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryRows } from '../../database/sql.js';
import {
  type InboundPayoutEvent,
  OnAppEvent,
  type RefundEventOutcome,
} from '../events/app-events.js';
import { GatewayRequestError } from '../gateways/gateway.errors.js';
import { PayoutExecutionService } from './payout-execution.service.js';
import { loadPayout } from './payout-rows.js';

/**
 * Transfer webhooks (Paystack `transfer.success|failed|reversed`, Flutterwave
 * `transfer.completed`), stored and deduplicated by the inbound pipeline. A webhook is a hint:
 * the payout moves only on what the gateway's verify answer says (a forged or stale webhook
 * moves nothing), through the same guarded transitions as the job and reconciliation.
 */
@Injectable()
export class PayoutWebhookHandler {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly execution: PayoutExecutionService,
  ) {}

  @OnAppEvent('inbound-webhook.payout')
  async handle(event: InboundPayoutEvent): Promise<RefundEventOutcome> {
    if (!event.reference) return { status: 'unmatched', note: 'the event names no reference' };
    // Paystack echoes our reference lowercased (we send it so).
    const [row] = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `SELECT id FROM payouts WHERE gateway = $1 AND reference = upper($2)`,
      [event.gateway, event.reference],
    );
    if (!row) {
      return {
        status: 'unmatched',
        note: `no ${event.gateway} payout with reference ${event.reference}`,
      };
    }
    const payout = await loadPayout(this.dataSource.manager, { id: row.id });
    if (!payout) return { status: 'unmatched', note: `payout ${row.id} vanished` };
    if (payout.status === 'pending_approval' || payout.status === 'rejected') {
      return {
        status: 'ignored',
        note: `payout ${payout.reference} is ${payout.status}: it was never sent`,
      };
    }
    let verified;
    try {
      verified = await this.execution.verifyAndApply(payout);
    } catch (error) {
      if (error instanceof GatewayRequestError) return { status: 'ignored', note: error.message };
      throw error;
    }
    const after = await loadPayout(this.dataSource.manager, { id: row.id });
    return {
      status: 'processed',
      note: `webhook said ${event.transferStatus ?? 'nothing'}; ${event.gateway} verify says ${verified.status}; payout ${payout.status} → ${after?.status ?? '?'}`,
    };
  }
}
