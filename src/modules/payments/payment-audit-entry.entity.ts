import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * transition: the settlement path moved the payment; contradiction: the gateway said something
 * that a final state does not allow, recorded and not applied; accept/reject: an admin's decision.
 */
export type PaymentAuditAction = 'transition' | 'contradiction' | 'accept' | 'reject';

/** Append-only (a trigger refuses UPDATE and DELETE). */
@Entity('payment_audit_entries')
export class PaymentAuditEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  paymentId: string;

  @Column({ type: 'text' })
  action: PaymentAuditAction;

  /** webhook, verify, callback, reconcile, replay, admin. */
  @Column({ type: 'text' })
  source: string;

  /** The admin who decided; null for the system. */
  @Column({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  @Column({ type: 'text' })
  fromStatus: string;

  @Column({ type: 'text' })
  toStatus: string;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;

  @Column({ type: 'uuid', nullable: true })
  inboundEventId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
