import { DataSource } from 'typeorm';
import { AppConfig } from './config/app-config.js';
import { loadDotEnv } from './config/load-env.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { ApiKey } from './modules/auth/api-keys/api-key.entity.js';
import { InboundWebhookEvent } from './modules/incoming-webhooks/inbound-webhook-event.entity.js';
import { Order } from './modules/payments/orders/order.entity.js';
import { PaymentAuditEntry } from './modules/payments/payment-audit-entry.entity.js';
import { Payment } from './modules/payments/payment.entity.js';
import { Refund } from './modules/refunds/refund.entity.js';
import { User } from './modules/users/user.entity.js';

// The TypeORM CLI's data source (`npm run migration:generate`), from the compiled output: the
// application's connection with every entity the feature modules register, listed as classes
// (globs do not load under ESM). Tables written only with SQL have no entity.
loadDotEnv();
export default new DataSource({
  ...dataSourceOptions(AppConfig.fromEnv()),
  entities: [User, ApiKey, Payment, Order, PaymentAuditEntry, InboundWebhookEvent, Refund],
});
