import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** Where a user wants their events sent. The secret is never returned after create/rotate. */
@Entity('webhook_endpoints')
export class WebhookEndpoint {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  url: string;

  /** Event types this endpoint receives; `*` means all. */
  @Column({ type: 'text', array: true })
  events: string[];

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** Why the system (or a 410 from the receiver) disabled it; null when enabled by hand. */
  @Column({ type: 'text', nullable: true })
  disabledReason: string | null;

  /** `whsec_…`: HMAC needs the raw key, so it cannot be hashed (see README). */
  @Column({ type: 'text', select: false })
  secret: string;

  /** The secret before the last rotation; it keeps signing beside the new one until it expires. */
  @Column({ type: 'text', nullable: true, select: false })
  previousSecret: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null;

  /** Start of the current unbroken run of failed attempts; null after any success. */
  @Column({ type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
