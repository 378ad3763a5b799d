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
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PAYMENT_PURPOSES = ['payment', 'wallet_deposit'] as const;
export type PaymentPurpose = (typeof PAYMENT_PURPOSES)[number];

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

  @Column({ type: 'timestamptz', nullable: true })
  settledAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastVerifiedAt: Date | null;

  /** When reconciliation should ask the gateway again (pending and abandoned payments only). */
  @Column({ type: 'timestamptz', nullable: true })
  nextVerifyAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
