import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { queryRows } from '../../database/sql.js';
import { conflict, unprocessable } from '../../common/errors/app-error.js';
import { claimJson, idempotencyKeyLost, type IdempotencyClaim } from './idempotency-claim.js';

/** Keys are kept at least this long (SPEC §10 says 24 h). */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;

export interface StoredResponse {
  status: number;
  body: unknown;
}

export type BeginResult =
  { kind: 'started'; claim: IdempotencyClaim } | { kind: 'replay'; response: StoredResponse };

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
 * Stores Idempotency-Key outcomes in Postgres. The primary key (user, key) makes one request the
 * holder of a key; each attempt holds it under a token of its own (`attempt`), and only that
 * attempt may complete or release it:
 * - a change and its response commit together: the service completes the claim inside the
 *   transaction of the change (`completeWithin`, or `idempotency_complete` in SQL), which rolls
 *   back if the attempt no longer holds the key;
 * - everything else (answers of routes that change nothing, definitive 4xx) is stored after the
 *   handler (`complete`), and a 5xx releases the key (`release`) unless the change committed;
 * - a key left in flight by a request that died before changing anything is taken over by a
 *   retry after IDEMPOTENCY_IN_FLIGHT_TIMEOUT; before that, a twin gets 409.
 * Every write is one statement on the key's row: under READ COMMITTED one that meets the row
 * locked by a committing change waits for the commit and re-checks its WHERE on what committed.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async begin(
    userId: string,
    key: string,
    method: string,
    path: string,
    hash: string,
    successStatus: number,
  ): Promise<BeginResult> {
    const attempt = randomUUID();
    // Inserts the key, or takes over one whose attempt has been in flight past the timeout.
    const held = await queryRows<unknown>(
      this.dataSource.manager,
      `INSERT INTO idempotency_keys
              (user_id, key, method, path, request_hash, status, attempt, attempt_started_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'in_flight', $6, now(), now() + make_interval(secs => $7))
       ON CONFLICT (user_id, key) DO UPDATE
          SET attempt = EXCLUDED.attempt, attempt_started_at = now(), expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.status = 'in_flight'
          AND idempotency_keys.method = EXCLUDED.method AND idempotency_keys.path = EXCLUDED.path
          AND idempotency_keys.request_hash = EXCLUDED.request_hash
          AND idempotency_keys.attempt_started_at < now() - make_interval(secs => $8)
       RETURNING key`,
      [
        userId,
        key,
        method,
        path,
        hash,
        attempt,
        IDEMPOTENCY_RETENTION_MS / 1000,
        this.config.idempotencyInFlightTimeoutMs / 1000,
      ],
    );
    if (held.length === 1) {
      return {
        kind: 'started',
        claim: { userId, key, attempt, status: successStatus, completed: false },
      };
    }

    const rows = await queryRows<KeyRow>(
      this.dataSource.manager,
      `SELECT method, path, request_hash, status, response_status, response_body
         FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    const row = rows[0];
    // The holder finished with a 5xx and released the key between our insert and our read: retry.
    if (!row) return this.begin(userId, key, method, path, hash, successStatus);
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

  /**
   * Commits the claim's response with the caller's transaction: call it inside the transaction
   * that makes the change, with the body the route will answer. If another attempt took the key
   * over, it throws 409 IDEMPOTENCY_KEY_IN_USE and the transaction must roll back (let it
   * propagate). Without a claim (no Idempotency-Key) it does nothing.
   */
  async completeWithin(
    manager: EntityManager,
    claim: IdempotencyClaim | null | undefined,
    body: unknown,
  ): Promise<void> {
    if (!claim) return;
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('completeWithin must run inside the transaction that makes the change');
    }
    try {
      await queryRows(manager, `SELECT idempotency_complete($1::jsonb)`, [claimJson(claim, body)]);
    } catch (error) {
      throw idempotencyKeyLost(error) ?? error;
    }
    claim.completed = true;
  }

  /** Stores an answer after the handler, for as long as this attempt holds the key. */
  async complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    await queryRows(
      this.dataSource.manager,
      `UPDATE idempotency_keys
          SET status = 'completed', response_status = $4, response_body = $5, completed_at = now()
        WHERE user_id = $1 AND key = $2 AND attempt = $3 AND status = 'in_flight'`,
      [
        claim.userId,
        claim.key,
        claim.attempt,
        response.status,
        JSON.stringify(response.body ?? null),
      ],
    );
  }

  /**
   * A 5xx (or a crash we can see) is not stored: the client may retry with the same key. A change
   * that committed (its reply lost) completed the key in its transaction, so `status =
   * 'in_flight'` leaves it be; one still committing holds the row's lock, and the DELETE waits
   * for the commit, then finds the row completed. Tried twice: when the request failed because
   * its database connection was cut, the pool can hand that dead connection out once more before
   * it notices (TypeORM returns it without the error). If both fail, the key is taken over after
   * IDEMPOTENCY_IN_FLIGHT_TIMEOUT.
   */
  async release(claim: IdempotencyClaim): Promise<void> {
    const remove = (): Promise<unknown> =>
      queryRows(
        this.dataSource.manager,
        `DELETE FROM idempotency_keys
          WHERE user_id = $1 AND key = $2 AND attempt = $3 AND status = 'in_flight'`,
        [claim.userId, claim.key, claim.attempt],
      );
    try {
      await remove();
    } catch {
      // the failed attempt took the dead connection out of the pool; this one gets a live one
      await remove();
    }
  }

  /** Keys past their retention: answered ones, and in-flight ones long abandoned. */
  async purgeExpired(): Promise<number> {
    const [{ purged }] = await queryRows<{ purged: number }>(
      this.dataSource.manager,
      `WITH purged AS (
         DELETE FROM idempotency_keys
          WHERE expires_at < now()
            AND (status = 'completed' OR attempt_started_at < now() - make_interval(secs => $1))
         RETURNING 1)
       SELECT count(*)::int AS purged FROM purged`,
      [this.config.idempotencyInFlightTimeoutMs / 1000],
    );
    return purged;
  }
}
