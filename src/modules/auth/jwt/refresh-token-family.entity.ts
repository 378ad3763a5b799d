import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type FamilyRevokedReason = 'logout' | 'reuse';

/** One signed-in session: its refresh tokens rotate inside it; revoking it ends the session. */
@Entity('refresh_token_families')
export class RefreshTokenFamily {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  revokedReason: FamilyRevokedReason | null;
}
