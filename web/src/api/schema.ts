// Response and request shapes come only from the generated OpenAPI types: a DTO change on the
// server changes these, and the dashboard's typecheck tells where.
import type { components } from './generated/openapi';

export type { paths } from './generated/openapi';

type Schemas = components['schemas'];

export type ApiErrorBody = Schemas['ErrorResponseDto'];
export type Payment = Schemas['PaymentResponseDto'];
export type Refund = Schemas['RefundResponseDto'];
export type AdminRefund = Schemas['AdminRefundResponseDto'];
export type Wallet = Schemas['WalletResponseDto'];
export type WalletTransaction = Schemas['WalletTransactionDto'];
export type ApiKey = Schemas['ApiKeyDto'];
export type CreatedApiKey = Schemas['CreatedApiKeyDto'];
export type ApiKeyPermission = Schemas['CreateApiKeyDto']['permissions'][number];
export type ApiKeyExpiry = Schemas['CreateApiKeyDto']['expiry'];
export type WebhookEndpoint = Schemas['WebhookEndpointDto'];
export type CreatedWebhookEndpoint = Schemas['CreatedWebhookEndpointDto'];
export type WebhookEventType = Schemas['CreateWebhookEndpointDto']['events'][number];
export type WebhookDelivery = Schemas['WebhookDeliveryDto'];
export type WebhookDeliveryDetail = Schemas['WebhookDeliveryDetailDto'];
export type WebhookDeliveryStatus = Schemas['WebhookDeliveryDto']['status'];
export type OutboundEvent = Schemas['OutboundEventDto'];
export type OutboundEventType = Schemas['OutboundEventDto']['event'];
export type InboundWebhookEvent = Schemas['InboundWebhookEventDto'];
export type LedgerCheckReport = Schemas['LedgerCheckReportDto'];
export type ResolvePaymentAction = Schemas['ResolvePaymentDto']['action'];
export type ResolveRefundAction = Schemas['ResolveRefundDto']['action'];
export type TransactionType = Schemas['WalletTransactionDto']['type'];
export type PaymentAuditEntry = Schemas['PaymentAuditEntryDto'];
export type Notification = Schemas['NotificationDto'];
export type EmailPreferences = Schemas['NotificationPreferencesDto']['email'];
export type PayoutRecipient = Schemas['RecipientDto'];
export type Payout = Schemas['PayoutDto'];
export type AdminPayout = Schemas['AdminPayoutDto'];
export type PublishableKey = Schemas['PublishableKeyDto'];
export type Dispute = Schemas['DisputeResponseDto'];
