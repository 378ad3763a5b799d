import { ApiKey } from '../modules/auth/api-keys/api-key.entity.js';
import { RefreshTokenFamily } from '../modules/auth/jwt/refresh-token-family.entity.js';
import { RefreshToken } from '../modules/auth/jwt/refresh-token.entity.js';
import { InboundWebhookEvent } from '../modules/payments/inbound/inbound-webhook-event.entity.js';
import { Order } from '../modules/payments/order.entity.js';
import { PaymentAuditEntry } from '../modules/payments/payment-audit-entry.entity.js';
import { Payment } from '../modules/payments/payment.entity.js';
import { Refund } from '../modules/refunds/refund.entity.js';
import { User } from '../modules/users/user.entity.js';
import { OutboundEvent } from '../modules/webhooks/outbound-event.entity.js';
import { WebhookDeliveryAttempt } from '../modules/webhooks/webhook-delivery-attempt.entity.js';
import { WebhookDelivery } from '../modules/webhooks/webhook-delivery.entity.js';
import { WebhookEndpoint } from '../modules/webhooks/webhook-endpoint.entity.js';
import { AppSecret } from './app-secret.entity.js';

/** Every entity, listed as classes (globs do not work under ESM). Append new entities here. */
export const ENTITIES = [
  AppSecret,
  User,
  RefreshTokenFamily,
  RefreshToken,
  ApiKey,
  OutboundEvent,
  Order,
  Payment,
  PaymentAuditEntry,
  InboundWebhookEvent,
  WebhookEndpoint,
  WebhookDelivery,
  WebhookDeliveryAttempt,
  Refund,
];
