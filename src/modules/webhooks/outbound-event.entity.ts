import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export const OUTBOUND_EVENT_TYPES = [
  'payment.success',
  'payment.failed',
  'refund.processed',
  'refund.failed',
  'wallet.deposit.success',
  'wallet.transfer.received',
] as const;
export type OutboundEventType = (typeof OUTBOUND_EVENT_TYPES)[number];

/**
 * The outbox: one row per thing that happened, written in the same transaction as the change it
 * reports. A relay later fans each row out into deliveries for the owner's endpoints.
 */
@Entity('events')
@Index('events_unrelayed_idx', ['createdAt'], { where: 'relayed_at IS NULL' })
export class OutboundEvent {
  /** `evt_` + 24 random characters; the `webhook-id` of every delivery of this event. */
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  type: OutboundEventType;

  /** The object as its GET route shows it, frozen at the time of the event. */
  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** Set once deliveries exist for every subscribed endpoint. */
  @Column({ type: 'timestamptz', nullable: true })
  relayedAt: Date | null;
}
