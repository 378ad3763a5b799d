import { type CanActivate, type INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { CommonModule } from './common/common.module.js';
import { HttpExceptionFilter } from './common/errors/http-exception.filter.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { MetricsModule } from './common/metrics/metrics.module.js';
import { RateLimitGuard } from './common/rate-limit/rate-limit.guard.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import { RedisModule } from './common/redis/redis.module.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import type { HttpFeatures } from './http/configure-app.js';
import { HttpModule } from './http/http.module.js';
import { IdempotencyInterceptor } from './http/idempotency/idempotency.interceptor.js';
import { IdempotencyModule } from './http/idempotency/idempotency.module.js';
import type { NestPipeline } from './http/lean-controller-route.js';
import { createValidationPipe } from './http/validation.pipe.js';
import { AuthGuard } from './modules/auth/auth.guard.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { AppEventsModule } from './modules/events/app-events.js';
import { HealthModule } from './modules/health/health.module.js';
import { IncomingWebhooksModule } from './modules/incoming-webhooks/incoming-webhooks.module.js';
import { LedgerModule } from './modules/ledger/ledger.module.js';
import { OperationsModule } from './modules/operations/operations.module.js';
import { QUEUE_BOARD_PATH, QueueBoardService } from './modules/operations/queue-board.service.js';
import { documentGatewayWebhooks } from './modules/incoming-webhooks/webhook-docs.js';
import { webhookLeanRoute } from './modules/incoming-webhooks/webhook-intake.controller.js';
import { PaymentsModule } from './modules/payments/payments.module.js';
import { RefundsModule } from './modules/refunds/refunds.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { transferLeanRoute } from './modules/wallet/wallet.controller.js';
import { WalletModule } from './modules/wallet/wallet.module.js';
import { OutboundWebhooksModule } from './modules/outbound-webhooks/outbound-webhooks.module.js';
import { QueueModule } from './queue/queue.module.js';
import { DashboardModule } from './modules/dashboard/dashboard.module.js';
import { DASHBOARD_PATH, DashboardStaticService } from './modules/dashboard/dashboard-static.js';
import { DisputesModule } from './modules/disputes/disputes.module.js';
import { SchedulesModule } from './schedules.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { TestModeModule } from './modules/test-mode/test-mode.module.js';
import { CheckoutModule } from './modules/checkout/checkout.module.js';
import { checkoutCors } from './modules/checkout/checkout-cors.js';
import { AppConfig } from './config/app-config.js';
import { withdrawalLeanRoute } from './modules/payouts/payouts.controller.js';
import { PayoutsModule } from './modules/payouts/payouts.module.js';

/**
 * Global guards, in the order they run: who is calling (401, failed attempts counted per client
 * address), then that principal's (or address's) rate limit. Registered with Nest below, and run
 * by the lean controller routes in the same order (nestPipeline).
 */
const GLOBAL_GUARDS = [AuthGuard, RateLimitGuard];

/**
 * What Nest runs around every controller route (the global guards above, the Idempotency-Key
 * interceptor IdempotencyModule registers, the global validation pipe), for the routes served
 * ahead of Express (http/lean-controller-route.ts).
 */
function nestPipeline(app: INestApplication): NestPipeline {
  return {
    guards: GLOBAL_GUARDS.map((guard) => app.get<CanActivate>(guard, { strict: false })),
    interceptors: [app.get(IdempotencyInterceptor, { strict: false })],
    pipe: createValidationPipe(),
  };
}

/**
 * The composition root: the platform (config, database, queue, common, http) and every feature
 * module, the global guards, filter and pipe, and the repeating jobs (schedules.ts). Platform code
 * never imports a feature (`npm run lint` refuses it); what features add to the HTTP application
 * beyond their controllers is given to it here (HTTP_FEATURES).
 */
@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    DatabaseModule,
    RedisModule,
    QueueModule,
    CommonModule,
    IdempotencyModule,
    RateLimitModule,
    MetricsModule,
    HttpModule,
    AppEventsModule,
    HealthModule,
    OperationsModule,
    UsersModule,
    AuthModule,
    OutboundWebhooksModule,
    LedgerModule,
    PaymentsModule,
    IncomingWebhooksModule,
    WalletModule,
    RefundsModule,
    TestModeModule,
    CheckoutModule,
    SchedulesModule,
    DashboardModule,
    DisputesModule,
    NotificationsModule,
    PayoutsModule,
  ],
  providers: [
    ...GLOBAL_GUARDS.map((guard) => ({ provide: APP_GUARD, useExisting: guard })),
    { provide: APP_FILTER, useClass: HttpExceptionFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
export class AppModule {}

/** What the feature modules add to the HTTP application (http/configure-app.ts). */
export const HTTP_FEATURES: HttpFeatures = {
  // Answered ahead of Express, with the controllers' answers: gateway webhooks, and withdrawals
  // and wallet transfers through Nest's guards, interceptor and pipe.
  leanRoutes: (app) => {
    const pipeline = nestPipeline(app);
    return [
      webhookLeanRoute(app),
      withdrawalLeanRoute(app, pipeline),
      transferLeanRoute(app, pipeline),
    ];
  },
  // The queue board for admins, outside Nest's routing.
  mounts: (app) => [
    { path: QUEUE_BOARD_PATH, handlers: app.get(QueueBoardService, { strict: false }).handlers() },
    // The dashboard's built files (dist/web), outside Nest's routing.
    {
      path: DASHBOARD_PATH,
      handlers: app.get(DashboardStaticService, { strict: false }).handlers(),
    },
    // Checkout sessions answer browsers on CHECKOUT_ALLOWED_ORIGINS (checkout.js).
    {
      path: '/api/v1/checkout/sessions',
      handlers: [checkoutCors(app.get(AppConfig).checkoutAllowedOrigins)],
    },
  ],
  // The one /webhooks/:gateway route is documented as one route per gateway.
  amendOpenApi: documentGatewayWebhooks,
};
