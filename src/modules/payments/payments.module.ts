import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GatewaysModule } from '../gateways/gateways.module.js';
import { AdminPaymentsController } from './admin/admin-payments.controller.js';
import { PaymentReviewService } from './admin/payment-review.service.js';
import { PaymentCaptureService } from './capture/payment-capture.service.js';
import { Order } from './orders/order.entity.js';
import { OrdersController } from './orders/orders.controller.js';
import { OrdersService } from './orders/orders.service.js';
import { PaymentAuditEntry } from './payment-audit-entry.entity.js';
import { Payment } from './payment.entity.js';
import { PaymentCallbackController, PaymentsController } from './payments.controller.js';
import { PaymentsService } from './payments.service.js';
import { ReconciliationProcessor } from './reconciliation/reconciliation.processor.js';
import { ReconciliationService } from './reconciliation/reconciliation.service.js';
import { PaymentRows } from './settlement/payment-rows.js';
import { SettlementService } from './settlement/settlement.service.js';
import { PaymentHistoryController } from './payment-history.controller.js';
import { PaymentHistoryService } from './payment-history.service.js';

/**
 * Payments and orders, the one settlement path (settlement/), reconciliation of payments whose
 * webhook may never come (reconciliation/) and the admin review (admin/). Other modules use
 * PaymentsService, SettlementService (gateway webhooks settle through it) and OrdersService.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Payment, Order, PaymentAuditEntry]), GatewaysModule],
  // The callback controller comes first so /payments/callback is not taken for a reference.
  controllers: [
    // Before PaymentsController: GET /payments/summary is not a payment reference.
    PaymentHistoryController,
    PaymentCallbackController,
    PaymentsController,
    OrdersController,
    AdminPaymentsController,
  ],
  providers: [
    PaymentHistoryService,
    OrdersService,
    PaymentsService,
    SettlementService,
    PaymentRows,
    ReconciliationService,
    ReconciliationProcessor,
    PaymentReviewService,
    PaymentCaptureService,
  ],
  exports: [PaymentsService, SettlementService, PaymentRows, OrdersService, GatewaysModule],
})
export class PaymentsModule {}
