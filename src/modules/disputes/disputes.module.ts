import { Module, OnModuleInit } from '@nestjs/common';
import { GatewaysModule } from '../gateways/gateways.module.js';
import { IncomingWebhooksModule } from '../incoming-webhooks/incoming-webhooks.module.js';
import { LedgerCheckService } from '../ledger/ledger-check.service.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { OutboundWebhooksModule } from '../outbound-webhooks/outbound-webhooks.module.js';
import { DISPUTE_LEDGER_CHECKS } from './dispute-ledger-checks.js';
import { DisputePollService } from './dispute-poll.service.js';
import { DisputeWebhookHandler } from './dispute-webhook.handler.js';
import { AdminDisputesController, DisputesController } from './disputes.controller.js';
import { DisputesService } from './disputes.service.js';

/**
 * Disputes and chargebacks (SPEC §17): applied from gateway webhooks ('inbound-webhook.dispute')
 * and polling, with the money rules in the database (dispute_sync_ledger, the receivable trigger).
 */
@Module({
  imports: [LedgerModule, GatewaysModule, OutboundWebhooksModule, IncomingWebhooksModule],
  controllers: [DisputesController, AdminDisputesController],
  providers: [DisputesService, DisputeWebhookHandler, DisputePollService],
  exports: [DisputesService, DisputePollService],
})
export class DisputesModule implements OnModuleInit {
  constructor(private readonly ledgerCheck: LedgerCheckService) {}

  onModuleInit(): void {
    this.ledgerCheck.addChecks(DISPUTE_LEDGER_CHECKS);
  }
}
