import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Permission } from '../../../common/auth/principal.js';

/** A service credential of a user's. The plain key is shown once; only its SHA-256 is kept. */
@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'bytea' })
  keyHash: Buffer;

  /** API_KEY_PREFIX + the first 8 characters of the random part, so a person can tell keys apart. */
  @Column({ type: 'text' })
  keyPrefix: string;

  @Column({ type: 'text', array: true })
  permissions: Permission[];

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  rolledOverFromId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
