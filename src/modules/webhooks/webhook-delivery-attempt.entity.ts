import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One HTTP request made for a delivery, as it went. */
@Entity('webhook_delivery_attempts')
export class WebhookDeliveryAttempt {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  deliveryId: string;

  @Column({ type: 'integer' })
  attemptNumber: number;

  /** Null when no response came (refused URL, connection error, timeout). */
  @Column({ type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'integer' })
  durationMs: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** The first KiB of the response body. */
  @Column({ type: 'text', nullable: true })
  responseExcerpt: string | null;

  /** When the request was sent: also its `webhook-timestamp`. */
  @Column({ type: 'timestamptz' })
  requestedAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
