import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../../database/sql.js';
import type { OutboundEventType } from './outbound-webhook.types.js';

export interface RecordEventInput {
  userId: string;
  type: OutboundEventType;
  /** The object as its GET route shows it (its response DTO), frozen at the time of the event. */
  data: object;
  /** Defaults to now; the `timestamp` field of the payload. */
  occurredAt?: Date;
}

export function newEventId(): string {
  return `evt_${randomBytes(18).toString('base64url').slice(0, 24)}`;
}

/** Writes outbound events inside the caller's transaction (the outbox pattern). */
@Injectable()
export class OutboxService {
  /** Must be called with the manager of the transaction that makes the change being reported. */
  async record(manager: EntityManager, input: RecordEventInput): Promise<string> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO events (id, user_id, type, data, created_at) VALUES ($1, $2, $3, $4, $5)
       RETURNING id`,
      [
        newEventId(),
        input.userId,
        input.type,
        JSON.stringify(input.data),
        input.occurredAt ?? new Date(),
      ],
    );
    return rows[0].id;
  }
}
