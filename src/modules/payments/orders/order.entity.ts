import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { moneyColumn, type Minor } from '../../../common/money.js';

export type OrderStatus = 'created' | 'paid';

@Entity('orders')
export class Order {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'bigint', transformer: moneyColumn })
  amount: Minor;

  @Column({ type: 'text' })
  currency: string;

  /** The merchant's own identifier for the order (invoice or cart number). */
  @Column({ type: 'text' })
  receipt: string;

  @Column({ type: 'text', default: 'created' })
  status: OrderStatus;

  @Column({ type: 'uuid', nullable: true })
  paidByPaymentId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
