import type { Minor } from '../../common/money.js';

export const GATEWAY_NAMES = [
  'paystack',
  'flutterwave',
  'stripe',
  'paypal',
  'generic',
  'test',
] as const;
export type GatewayName = (typeof GATEWAY_NAMES)[number];

/**
 * What a gateway says about a payment. `not_found` means it has never heard of it; `authorized`
 * that the payer's money is held for a manual capture, `canceled` that such a hold was voided or
 * expired.
 */
export type GatewayPaymentStatus =
  'succeeded' | 'failed' | 'pending' | 'abandoned' | 'not_found' | 'authorized' | 'canceled';

/** automatic: the gateway takes the money at once; manual: it authorizes and we capture later. */
export type GatewayCaptureMode = 'automatic' | 'manual';
export type GatewayRefundStatus = 'pending' | 'processing' | 'succeeded' | 'failed';

export interface InitializeInput {
  /** Our reference (letters, digits, '-'); gateways echo it back. */
  reference: string;
  amount: Minor;
  currency: string;
  email: string;
  /** Where the gateway sends the payer back: our public /payments/callback?reference=… */
  returnUrl: string;
  metadata?: Record<string, unknown>;
  /** Only `manual` for a gateway with `capture` (the payments service checks first). */
  capture?: GatewayCaptureMode;
}

export interface InitializeResult {
  authorizationUrl: string;
  accessCode?: string;
  /** The gateway's own id for this payment when it makes one up front (Stripe session, PayPal order). */
  gatewayPaymentId?: string;
}

export interface VerifyInput {
  reference: string;
  gatewayPaymentId: string | null;
  amount: Minor;
  currency: string;
}

/** The gateway's truth about a payment, in our units. */
export interface VerifyResult {
  status: GatewayPaymentStatus;
  /** What the gateway reports: compared with what we asked for before settling. */
  reference?: string;
  amount?: Minor;
  currency?: string;
  gatewayPaymentId?: string;
  /** e.g. the PayPal capture id, needed later to refund. */
  gatewayChargeId?: string;
  /** The authorization to capture or void, where the gateway has its own id for it (PayPal). */
  gatewayAuthorizationId?: string;
  failureReason?: string;
}

/** A capture or a void of a manual payment's authorization. */
export interface CaptureInput {
  reference: string;
  gatewayPaymentId: string | null;
  gatewayChargeId: string | null;
  gatewayAuthorizationId: string | null;
  /** What to capture (ignored by a void); the rest of the authorization is released. */
  amount: Minor;
  currency: string;
  /**
   * Derived from the payment, never from the request: however often a capture is retried, the
   * gateway sees one capture (Stripe Idempotency-Key, PayPal-Request-Id).
   */
  idempotencyKey: string;
}

export interface RefundInput {
  /** Our refund id: the idempotency key sent to the gateway. */
  refundId: string;
  reference: string;
  gatewayPaymentId: string | null;
  gatewayChargeId: string | null;
  amount: Minor;
  currency: string;
  reason?: string;
}

export interface RefundResult {
  status: GatewayRefundStatus;
  gatewayRefundId?: string;
  failureReason?: string;
}

/** The raw inbound request, exactly as received: signatures are checked over these bytes. */
export interface InboundWebhookRequest {
  rawBody: Buffer;
  headers: Record<string, string | undefined>;
}

/** One gateway webhook, normalized. */
export interface NormalizedWebhookEvent {
  /** Unique per gateway; derived from type + object id + status when the gateway sends none. */
  eventId: string;
  /** The gateway's own event type, e.g. `charge.success`. */
  type: string;
  kind: 'payment' | 'refund' | 'payout' | 'ignored' | 'dispute';
  /** Our payment reference (or, for `payout`, the transfer reference), when the event carries it. */
  reference?: string;
  gatewayPaymentId?: string;
  paymentStatus?: GatewayPaymentStatus;
  refundStatus?: GatewayRefundStatus;
  gatewayRefundId?: string;
  /** Our refund id, when the gateway echoes our idempotency key / merchant note. */
  refundId?: string;
  amount?: Minor;
  currency?: string;
  /** `payout` events: what the webhook claims; processing asks verifyTransfer before applying. */
  transferStatus?: 'succeeded' | 'failed' | 'reversed' | 'pending';
  /** The gateway's dispute id (kind `dispute`): processing fetches the dispute by it. */
  disputeId?: string;
  /**
   * True only where the signed event is itself the truth (the generic gateway): processing may
   * settle from it without a verify call. For every other gateway processing asks `verify`.
   */
  selfAuthenticating: boolean;
}

/** Every gateway adapter implements this; payments, wallet and refunds know nothing else. */
export interface PaymentGateway {
  readonly name: GatewayName;
  /** Enabled when its secrets are configured. */
  isEnabled(): boolean;
  supportsCurrency(currency: string): boolean;
  initialize(input: InitializeInput): Promise<InitializeResult>;
  /** Asks the gateway now. May complete a pending step idempotently (PayPal capture). */
  verify(input: VerifyInput): Promise<VerifyResult>;
  refund(input: RefundInput): Promise<RefundResult>;
  /**
   * Manual capture (SPEC §15), for gateways that support it: captures `amount` of the
   * authorization and answers the gateway's truth afterwards (`succeeded` for what was taken).
   */
  capture?(input: CaptureInput): Promise<VerifyResult>;
  /** Voids the authorization; answers the gateway's truth afterwards (`canceled`). */
  voidAuthorization?(input: CaptureInput): Promise<VerifyResult>;
  /** Current state of a refund, for gateways that send no refund webhooks. */
  getRefund?(gatewayRefundId: string, input: RefundInput): Promise<RefundResult>;
  /**
   * Throws InvalidSignatureError (→ 401) when the sender is not proven, or
   * GatewayUnavailableError (→ 503) when it cannot be checked right now.
   */
  verifyWebhook(request: InboundWebhookRequest): Promise<void>;
  /**
   * Only for gateways whose verifyWebhook calls the gateway (PayPal's verify API): the event id the
   * request claims and the signature it carries, read without trusting either, so intake lets at
   * most one verification call per event id out. Undefined when verifyWebhook refuses the request
   * without calling anyone (a missing header, a body with no event id).
   */
  remoteWebhookClaim?(request: InboundWebhookRequest): RemoteWebhookClaim | undefined;
  parseWebhook(request: InboundWebhookRequest): NormalizedWebhookEvent;
}

/** What an unverified webhook says it is (see PaymentGateway.remoteWebhookClaim). */
export interface RemoteWebhookClaim {
  eventId: string;
  /** The signature material (headers) as received, joined: tells two requests apart. */
  signature: string;
}

/** A dispute's states (SPEC §17). */
export type GatewayDisputeStatus = 'open' | 'under_review' | 'won' | 'lost' | 'accepted';

/** The gateway's truth about a dispute (fetched from its API, never taken from a webhook body). */
export interface GatewayDispute {
  gatewayDisputeId: string;
  /** Our payment reference when the gateway knows it; else its id of the payment. */
  reference?: string;
  gatewayPaymentId?: string;
  amount: Minor;
  currency: string;
  reason: string | null;
  status: GatewayDisputeStatus;
  /** The gateway's own word for the state, kept for people. */
  gatewayStatus: string;
  dueBy: Date | null;
}

export interface DisputeEvidenceInput {
  gatewayDisputeId: string;
  /** The payer's email, as the payment recorded it (Paystack's form asks for it). */
  customerEmail: string;
  text: string;
  uploadedFileUrls: string[];
}

/** Optional dispute side of a gateway (SPEC §17); a gateway without it cannot take evidence. */
export interface DisputeCapableGateway {
  getDispute(gatewayDisputeId: string): Promise<GatewayDispute>;
  acceptDispute?(gatewayDisputeId: string): Promise<void>;
  submitDisputeEvidence?(input: DisputeEvidenceInput): Promise<void>;
  /** Polled gateways (Flutterwave): every dispute changed since `since`. */
  listDisputes?(since: Date): Promise<GatewayDispute[]>;
}

export function isDisputeCapable(
  gateway: PaymentGateway,
): gateway is PaymentGateway & DisputeCapableGateway {
  return typeof (gateway as Partial<DisputeCapableGateway>).getDispute === 'function';
}
