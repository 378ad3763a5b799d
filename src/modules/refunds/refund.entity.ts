import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { moneyColumn, type Minor } from '../../common/money.js';

export const REFUND_STATUSES = ['pending', 'processing', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** `gateway`: made in the gateway's own dashboard and learnt from its webhook, not through us. */
export const REFUND_INITIATORS = ['user', 'admin', 'gateway'] as const;
export type RefundInitiator = (typeof REFUND_INITIATORS)[number];

export const OPEN_REFUND_STATUSES: readonly RefundStatus[] = ['pending', 'processing'];

@Entity('refunds')
export class Refund {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  paymentId: string;

  /** Copied from the payment (references never change) so views and events need no join. */
  @Column({ type: 'text' })
  paymentReference: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'bigint', transformer: moneyColumn })
  amount: Minor;

  @Column({ type: 'text' })
  currency: string;

  @Column({ type: 'text' })
  status: RefundStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'text' })
  gateway: string;

  /** The id the gateway's refund API answered with (unique per gateway). */
  @Column({ type: 'text', nullable: true })
  gatewayRefundId: string | null;

  /**
   * The other id some gateways put in their refund webhooks instead (Paystack's
   * `refund_reference`), recorded when a webhook is matched to this refund so that it can never be
   * matched to a second one.
   */
  @Column({ type: 'text', nullable: true })
  gatewayRefundReference: string | null;

  @Column({ type: 'text', nullable: true })
  failureReason: string | null;

  @Column({ type: 'text' })
  initiatedBy: RefundInitiator;

  @Column({ type: 'uuid', nullable: true })
  initiatedByUserId: string | null;

  /** True when the refund took money out of a wallet (a deposit's refund): a failure gives it back. */
  @Column({ type: 'boolean', default: false })
  walletDebited: boolean;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  /**
   * Set just before the gateway's refund API is called and left set until the answer is known.
   * Still set without a gateway_refund_id means a call whose outcome we do not know.
   */
  @Column({ type: 'timestamptz', nullable: true })
  gatewayCallStartedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** Why a person must look at this refund; the job does not touch it while this is set. */
  @Column({ type: 'text', nullable: true })
  needsAttention: string | null;

  /** When reconciliation should ask the gateway about this refund again. */
  @Column({ type: 'timestamptz', nullable: true })
  nextCheckAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  enqueuedAt: Date | null;

  /** An admin's decision on a refund that needed attention: who, when, what and why. */
  @Column({ type: 'uuid', nullable: true })
  resolvedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  resolutionNote: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
