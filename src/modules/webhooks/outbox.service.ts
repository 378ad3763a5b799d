import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OutboundEvent, OutboundEventType } from './outbound-event.entity.js';

export interface RecordEventInput {
  userId: string;
  type: OutboundEventType;
  data: Record<string, unknown>;
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
    const id = newEventId();
    await manager.insert(OutboundEvent, {
      id,
      userId: input.userId,
      type: input.type,
      data: input.data,
      createdAt: input.occurredAt ?? new Date(),
      relayedAt: null,
    });
    return id;
  }
}
