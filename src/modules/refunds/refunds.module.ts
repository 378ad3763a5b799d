import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Refund } from './refund.entity.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { LedgerCheckService } from '../ledger/ledger-check.service.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WalletModule } from '../wallet/wallet.module.js';
import { OutboundWebhooksModule } from '../outbound-webhooks/outbound-webhooks.module.js';
import { AdminRefundsController } from './admin/admin-refunds.controller.js';
import { RefundReviewService } from './admin/refund-review.service.js';
import { RefundExecutionService } from './refund-execution.service.js';
import { REFUND_LEDGER_CHECKS } from './refund-ledger-checks.js';
import { RefundReconciliationService } from './refund-reconciliation.service.js';
import { RefundTransitionsService } from './refund-transitions.service.js';
import { RefundWebhookHandlerService } from './refund-webhook.handler.js';
import { RefundsController } from './refunds.controller.js';
import { RefundsProcessor } from './refunds.processor.js';
import { RefundsService } from './refunds.service.js';

/**
 * Refunds (SPEC §8): accepted under the payment's row lock, sent to the gateway by a job, finished
 * by the job's answer, gateway webhooks ('inbound-webhook.refund', from incoming-webhooks) or
 * polling; and the refund an admin's reject starts (SPEC §6).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Refund]),
    LedgerModule,
    PaymentsModule,
    WalletModule,
    OutboundWebhooksModule,
  ],
  controllers: [RefundsController, AdminRefundsController],
  providers: [
    RefundsService,
    RefundTransitionsService,
    RefundExecutionService,
    RefundReconciliationService,
    RefundWebhookHandlerService,
    RefundReviewService,
    RefundsProcessor,
  ],
  exports: [RefundsService],
})
export class RefundsModule implements OnModuleInit {
  constructor(private readonly ledgerCheck: LedgerCheckService) {}

  onModuleInit(): void {
    this.ledgerCheck.addChecks(REFUND_LEDGER_CHECKS);
  }
}
