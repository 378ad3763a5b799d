import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { conflict, unprocessable } from '../errors/app-error.js';

/** Keys are kept at least this long (SPEC §10 says 24 h). */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;

export interface StoredResponse {
  status: number;
  body: unknown;
}

export type BeginResult = { kind: 'started' } | { kind: 'replay'; response: StoredResponse };

/** Serializes a JSON value with sorted object keys, so key order does not change the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${canonicalJson(body)}`)
    .digest('hex');
}

interface KeyRow {
  method: string;
  path: string;
  request_hash: string;
  status: 'in_flight' | 'completed';
  response_status: number | null;
  response_body: unknown;
}

/**
 * Stores Idempotency-Key outcomes in Postgres. The primary key (user, key) makes the first
 * request the owner: a twin racing it sees the in-flight row and gets 409.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly dataSource: DataSource) {}

  async begin(
    userId: string,
    key: string,
    method: string,
    path: string,
    hash: string,
  ): Promise<BeginResult> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, status, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'in_flight', now() + make_interval(secs => $6))
       ON CONFLICT (user_id, key) DO NOTHING
       RETURNING key`,
      [userId, key, method, path, hash, IDEMPOTENCY_RETENTION_MS / 1000],
    );
    if (inserted.length === 1) return { kind: 'started' };

    const rows: KeyRow[] = await this.dataSource.query(
      `SELECT method, path, request_hash, status, response_status, response_body
         FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    const row = rows[0];
    // The twin finished with a 5xx and released the key between our insert and our read: retry.
    if (!row) return this.begin(userId, key, method, path, hash);
    if (row.method !== method || row.path !== path || row.request_hash !== hash) {
      throw unprocessable(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used with a different request (route or body)',
      );
    }
    if (row.status === 'in_flight') {
      throw conflict(
        'IDEMPOTENCY_KEY_IN_USE',
        'A request with this Idempotency-Key is still being processed',
      );
    }
    return {
      kind: 'replay',
      response: { status: row.response_status as number, body: row.response_body },
    };
  }

  async complete(userId: string, key: string, response: StoredResponse): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys
          SET status = 'completed', response_status = $3, response_body = $4, completed_at = now()
        WHERE user_id = $1 AND key = $2 AND status = 'in_flight'`,
      [userId, key, response.status, JSON.stringify(response.body ?? null)],
    );
  }

  /**
   * A 5xx (or a crash we can see) is not stored: the client may retry with the same key. Tried
   * twice: when the request failed because its database connection was cut, the pool can hand that
   * dead connection out once more before it notices (TypeORM returns it without the error), and a
   * key left in flight would answer every retry with 409 for 24 hours.
   */
  async release(userId: string, key: string): Promise<void> {
    const remove = (): Promise<unknown> =>
      this.dataSource.query(
        `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 'in_flight'`,
        [userId, key],
      );
    try {
      await remove();
    } catch {
      // the failed attempt took the dead connection out of the pool; this one gets a live one
      await remove();
    }
  }

  async purgeExpired(): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE expires_at < now() AND status = 'completed'`,
    );
    return result[1];
  }
}
