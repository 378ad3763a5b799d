import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Process-wide generated secrets (the development JWT secret), shared by every instance. */
@Entity('app_secrets')
export class AppSecret {
  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  value: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
