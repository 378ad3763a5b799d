import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { CheckoutPageController } from './checkout-page.controller.js';
import { CheckoutSessionsController } from './checkout-sessions.controller.js';
import { CheckoutSessionsService } from './checkout-sessions.service.js';

/** Hosted checkout (SPEC §13): sessions, the hosted page and checkout.js. */
@Module({
  imports: [PaymentsModule, UsersModule, AuthModule],
  controllers: [CheckoutSessionsController, CheckoutPageController],
  providers: [CheckoutSessionsService],
  exports: [CheckoutSessionsService],
})
export class CheckoutModule {}
