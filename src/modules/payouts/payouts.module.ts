import { Module, OnModuleInit } from '@nestjs/common';
import { GatewaysModule } from '../gateways/gateways.module.js';
import { LedgerCheckService } from '../ledger/ledger-check.service.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { OutboundWebhooksModule } from '../outbound-webhooks/outbound-webhooks.module.js';
import { WalletModule } from '../wallet/wallet.module.js';
import { AdminPayoutsController } from './admin/admin-payouts.controller.js';
import { PayoutAdminService } from './admin/payout-admin.service.js';
import { PayoutExecutionService } from './payout-execution.service.js';
import { PAYOUT_LEDGER_CHECKS } from './payout-ledger-checks.js';
import { PayoutMetrics } from './payout-metrics.js';
import { PayoutReconciliationService } from './payout-reconciliation.service.js';
import { PayoutTransitionsService } from './payout-transitions.service.js';
import { PayoutWebhookHandler } from './payout-webhook.handler.js';
import { PayoutsController } from './payouts.controller.js';
import { PayoutsProcessor } from './payouts.processor.js';
import { PayoutsService } from './payouts.service.js';

/**
 * Payouts (SPEC §12): recipients, withdrawals held in payouts_in_flight in the request's
 * transaction, sent by a job, finished by the gateway's verified answer (job, webhook or
 * reconciliation), and the admin's approve / reject / OTP finalize.
 */
@Module({
  imports: [LedgerModule, WalletModule, GatewaysModule, OutboundWebhooksModule],
  controllers: [PayoutsController, AdminPayoutsController],
  providers: [
    PayoutsService,
    PayoutTransitionsService,
    PayoutExecutionService,
    PayoutReconciliationService,
    PayoutWebhookHandler,
    PayoutAdminService,
    PayoutsProcessor,
    PayoutMetrics,
  ],
  exports: [PayoutsService],
})
export class PayoutsModule implements OnModuleInit {
  constructor(private readonly ledgerCheck: LedgerCheckService) {}

  onModuleInit(): void {
    this.ledgerCheck.addChecks(PAYOUT_LEDGER_CHECKS);
  }
}
