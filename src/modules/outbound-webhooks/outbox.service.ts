import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlParams, queryRows } from '../../database/sql.js';
import type { OutboundEventType } from './outbound-webhook.types.js';

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

/**
 * The INSERT of one outbound event, as a part of a larger statement: the event is written once
 * for each row of `source` (a relation of that statement, e.g. a CTE that yields one row when the
 * change it reports was made, none when it was not).
 */
export function outboxInsertSql(
  input: RecordEventInput,
  params: SqlParams,
  source: string,
): string {
  return `INSERT INTO events (id, user_id, type, data, created_at)
          SELECT ${params.add(newEventId())}, ${params.add(input.userId)}, ${params.add(input.type)},
                 ${params.add(JSON.stringify(input.data))}, ${params.add(input.occurredAt ?? new Date())}
            FROM ${source}`;
}

/** Writes outbound events inside the caller's transaction (the outbox pattern). */
@Injectable()
export class OutboxService {
  /** Must be called with the manager of the transaction that makes the change being reported. */
  async record(manager: EntityManager, input: RecordEventInput): Promise<string> {
    const params = new SqlParams();
    const rows = await queryRows<{ id: string }>(
      manager,
      `${outboxInsertSql(input, params, '(SELECT) AS one_row')} RETURNING id`,
      params.values,
    );
    return rows[0].id;
  }
}
