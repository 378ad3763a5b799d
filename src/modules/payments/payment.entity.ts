import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { moneyColumn, type Minor } from '../../common/money.js';

export const PAYMENT_STATUSES = [
  'pending',
  'succeeded',
  'failed',
  'abandoned',
  'needs_review',
  'authorized',
  'canceled',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PAYMENT_PURPOSES = ['payment', 'wallet_deposit'] as const;
export type PaymentPurpose = (typeof PAYMENT_PURPOSES)[number];

/** automatic: the gateway takes the money at once; manual: it authorizes, we capture (SPEC §15). */
export const CAPTURE_MODES = ['automatic', 'manual'] as const;
export type CaptureMode = (typeof CAPTURE_MODES)[number];

/** The one capture or void under way at the gateway for an authorized payment. */
export type CaptureAction = 'capture' | 'cancel';

export const REFUND_STATUSES = ['none', 'partial', 'full'] as const;
export type PaymentRefundStatus = (typeof REFUND_STATUSES)[number];

@Entity('payments')
export class Payment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** `PAY-YYYYMMDDHHMMSS-XXXXXXXX`: letters, digits and '-' only (Paystack refuses '_'). */
  @Column({ type: 'text', unique: true })
  reference: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  purpose: PaymentPurpose;

  @Column({ type: 'text' })
  gateway: string;

  @Column({ type: 'text' })
  status: PaymentStatus;

  @Column({ type: 'bigint', transformer: moneyColumn })
  amount: Minor;

  @Column({ type: 'text' })
  currency: string;

  /** What the gateway actually took; set when the payment succeeds (or an admin decides on a review). */
  @Column({ type: 'bigint', nullable: true, transformer: moneyColumn })
  amountReceived: Minor | null;

  @Column({ type: 'bigint', transformer: moneyColumn, default: 0 })
  amountRefunded: Minor;

  @Column({ type: 'text', default: 'none' })
  refundStatus: PaymentRefundStatus;

  /** Set by the disputes module's ledger function (SPEC §17): open | won | lost, null if never disputed. */
  @Column({ type: 'text', nullable: true })
  disputed: 'open' | 'won' | 'lost' | null;

  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text', nullable: true })
  callbackUrl: string | null;

  @Column({ type: 'jsonb', nullable: true })
  metadata: Record<string, unknown> | null;

  @Column({ type: 'uuid', nullable: true })
  orderId: string | null;

  @Column({ type: 'text', nullable: true })
  gatewayPaymentId: string | null;

  @Column({ type: 'text', nullable: true })
  gatewayChargeId: string | null;

  @Column({ type: 'text', nullable: true })
  authorizationUrl: string | null;

  @Column({ type: 'text', nullable: true })
  accessCode: string | null;

  @Column({ type: 'text', nullable: true })
  failureReason: string | null;

  /** Why the payment needs a person: what the gateway reported against what we asked for. */
  @Column({ type: 'text', nullable: true })
  reviewReason: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: moneyColumn })
  reportedAmount: Minor | null;

  @Column({ type: 'text', nullable: true })
  reportedCurrency: string | null;

  @Column({ type: 'text', nullable: true })
  reportedReference: string | null;

  @Column({ type: 'text', nullable: true })
  resolution: 'accepted' | 'rejected' | null;

  @Column({ type: 'uuid', nullable: true })
  resolvedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  resolutionNote: string | null;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'text', default: 'automatic' })
  captureMode: CaptureMode;

  /** What the gateway authorized (manual capture), once it has. */
  @Column({ type: 'bigint', nullable: true, transformer: moneyColumn })
  amountAuthorized: Minor | null;

  /** What the capture under way (or done) asked for: what settlement expects the gateway to take. */
  @Column({ type: 'bigint', nullable: true, transformer: moneyColumn })
  amountToCapture: Minor | null;

  /** Set under the row lock before a capture or void reaches the gateway; one at a time. */
  @Column({ type: 'text', nullable: true })
  captureAction: CaptureAction | null;

  @Column({ type: 'timestamptz', nullable: true })
  captureRequestedAt: Date | null;

  /** The Idempotency-Key of the request whose action is under way: its retry may resume it. */
  @Column({ type: 'text', nullable: true })
  captureRequestKey: string | null;

  /** The gateway's authorization id where it differs from the payment's (PayPal). */
  @Column({ type: 'text', nullable: true })
  gatewayAuthorizationId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  settledAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastVerifiedAt: Date | null;

  /** When reconciliation should ask the gateway again (pending and abandoned payments only). */
  @Column({ type: 'timestamptz', nullable: true })
  nextVerifyAt: Date | null;

  /** False for the built-in test gateway: generated by the database from `gateway`. */
  @Column({
    type: 'boolean',
    insert: false,
    update: false,
    generatedType: 'STORED',
    asExpression: `gateway <> 'test'`,
  })
  livemode: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
