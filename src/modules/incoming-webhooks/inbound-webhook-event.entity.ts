import type { NormalizedWebhookEvent } from '../gateways/gateway.interface.js';
import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const INBOUND_EVENT_STATUSES = [
  'received',
  // Written by earlier versions while a job worked on the event; open like `received`.
  'processing',
  'processed',
  'unmatched',
  'failed',
  'ignored',
] as const;
export type InboundEventStatus = (typeof INBOUND_EVENT_STATUSES)[number];

/** One verified gateway webhook, stored before we answer 200; unique per (gateway, event_id). */
@Entity('inbound_webhook_events')
export class InboundWebhookEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  gateway: string;

  @Column({ type: 'text' })
  eventId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'text' })
  kind: 'payment' | 'refund' | 'payout' | 'ignored' | 'dispute';

  @Column({ type: 'text', nullable: true })
  reference: string | null;

  @Column({ type: 'text', nullable: true })
  gatewayPaymentId: string | null;

  /**
   * The parsed body as the gateway signed it (its signature was checked on the raw bytes), minus
   * card data and reusable tokens; null once INBOUND_PAYLOAD_RETENTION has passed.
   */
  @Column({ type: 'jsonb', nullable: true })
  payload: Record<string, unknown> | null;

  /** The adapter's NormalizedWebhookEvent for this body, as parsed at intake. */
  @Column({ type: 'jsonb' })
  normalized: NormalizedWebhookEvent;

  /** Request headers minus anything secret (signatures, credentials, cookies); `{}` after retention. */
  @Column({ type: 'jsonb' })
  headers: Record<string, string>;

  @Column({ type: 'text' })
  status: InboundEventStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'uuid', nullable: true })
  paymentId: string | null;

  /** Bumped by an admin replay so the new job gets a fresh, still deterministic, job id. */
  @Column({ type: 'integer', default: 0 })
  generation: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  enqueuedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
