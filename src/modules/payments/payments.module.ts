import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboundWebhookEvent } from './inbound/inbound-webhook-event.entity.js';
import { Order } from './order.entity.js';
import { PaymentAuditEntry } from './payment-audit-entry.entity.js';
import { Payment } from './payment.entity.js';
import { GatewaysModule } from '../gateways/gateways.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { AdminPaymentsController } from './admin/admin-payments.controller.js';
import { PaymentRejectedHooks } from './admin/payment-rejected.hooks.js';
import { PaymentReviewService } from './admin/payment-review.service.js';
import { InboundPayloadRetention } from './inbound/inbound-payload-retention.js';
import { InboundWebhookSweeper } from './inbound/inbound-webhook-sweeper.js';
import { InboundWebhookService } from './inbound/inbound-webhook.service.js';
import { InboundWebhooksProcessor } from './inbound/inbound-webhooks.processor.js';
import { WebhookIntakeController } from './inbound/webhook-intake.controller.js';
import { WebhookIntakeService } from './inbound/webhook-intake.service.js';
import { WebhookVerificationMemo } from './inbound/webhook-verification-memo.js';
import { OrdersController } from './orders.controller.js';
import { OrdersService } from './orders.service.js';
import { PaymentSettledHooks } from './payment-settled.hooks.js';
import { PaymentCallbackController, PaymentsController } from './payments.controller.js';
import { PaymentsProcessor } from './payments.processor.js';
import { PaymentsService } from './payments.service.js';
import { ReconciliationService } from './reconciliation.service.js';
import { RefundWebhookHooks } from './refund-webhook.hooks.js';
import { PaymentRows } from './payment-rows.js';
import { SettlementService } from './settlement.service.js';

/**
 * Payments, orders, the one settlement path, the inbound webhook pipeline, reconciliation and the
 * admin review. Other modules use PaymentsService, SettlementService (read-only outcomes),
 * PaymentSettledHooks (wallet credit) and RefundWebhookHooks (refund webhooks).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Payment, Order, PaymentAuditEntry, InboundWebhookEvent]),
    GatewaysModule,
    WebhooksModule,
  ],
  // The callback controller comes first so /payments/callback is not taken for a reference.
  controllers: [
    PaymentCallbackController,
    PaymentsController,
    OrdersController,
    WebhookIntakeController,
    AdminPaymentsController,
  ],
  providers: [
    PaymentSettledHooks,
    RefundWebhookHooks,
    PaymentRejectedHooks,
    OrdersService,
    PaymentsService,
    SettlementService,
    PaymentRows,
    WebhookIntakeService,
    WebhookVerificationMemo,
    InboundWebhookService,
    InboundWebhookSweeper,
    InboundPayloadRetention,
    InboundWebhooksProcessor,
    ReconciliationService,
    PaymentsProcessor,
    PaymentReviewService,
  ],
  exports: [
    PaymentsService,
    SettlementService,
    PaymentSettledHooks,
    RefundWebhookHooks,
    PaymentRejectedHooks,
    OrdersService,
    GatewaysModule,
  ],
})
export class PaymentsModule {}
