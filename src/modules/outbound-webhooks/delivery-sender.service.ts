import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DataKeyring } from '../../common/crypto/data-keyring.js';
import { AppConfig } from '../../config/app-config.js';
import { decideAfterAttempt, DISABLE_FAILING_ENDPOINT_AFTER_MS } from './retry-policy.js';
import { WebhookDnsResolver } from './url-safety.js';
import { postWebhook, type WebhookPostResult } from './webhook-http-client.js';
import { OutboxRelayService } from './outbox-relay.service.js';
import { secretContext, signWebhook, webhookBody } from './webhook-signer.js';
import { queryRows } from '../../database/sql.js';

export const DELIVERY_TIMEOUT_MS = 10_000;
/**
 * While an attempt is in flight its delivery is leased for this long (the timeout plus a margin):
 * duplicate jobs leave it alone, and if the worker dies the sweeper takes it over afterwards.
 */
export const ATTEMPT_LEASE_MS = DELIVERY_TIMEOUT_MS + 5_000;
/** A job may run this much before its row's due time (clock skew between Redis delays and Postgres). */
const DUE_TOLERANCE_MS = 1_000;

interface ClaimedDelivery {
  id: string;
  attempts: number;
  event_id: string;
  event_type: string;
  event_data: Record<string, unknown>;
  event_created_at: Date;
  endpoint_id: string;
  url: string;
  enabled: boolean;
  disabled_reason: string | null;
  /** Both sealed with the data key (DataKeyring); opened only to sign. */
  secret: string;
  previous_secret: string | null;
}

export type AttemptResult =
  | { outcome: 'skipped' }
  | { outcome: 'endpoint-disabled' }
  | { outcome: 'attempted'; statusCode: number | null; status: 'pending' | 'succeeded' | 'failed' };

/** Makes one delivery attempt: claim, sign, POST, record. Safe to run twice for the same delivery. */
@Injectable()
export class DeliverySender {
  private readonly logger = new Logger(DeliverySender.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly resolver: WebhookDnsResolver,
    private readonly relay: OutboxRelayService,
    private readonly keyring: DataKeyring,
  ) {}

  async attempt(deliveryId: string): Promise<AttemptResult> {
    const claimed = await this.claim(deliveryId);
    if (!claimed) return { outcome: 'skipped' };

    if (!claimed.enabled) {
      await queryRows(
        this.dataSource.manager,
        `UPDATE webhook_deliveries
            SET status = CASE WHEN delivered_at IS NULL THEN 'failed' ELSE 'succeeded' END,
                next_attempt_at = NULL, last_error = $2
          WHERE id = $1 AND status = 'pending'`,
        [
          deliveryId,
          `endpoint disabled${claimed.disabled_reason ? `: ${claimed.disabled_reason}` : ''}`,
        ],
      );
      return { outcome: 'endpoint-disabled' };
    }

    const body = webhookBody({
      id: claimed.event_id,
      type: claimed.event_type,
      createdAt: claimed.event_created_at,
      data: claimed.event_data,
    });
    const requestedAt = new Date();
    // A secret that cannot be opened (its data key is not configured) fails the job before any
    // POST: the lease runs out and the delivery is tried again once the key is back.
    const context = secretContext(claimed.endpoint_id);
    const sealed = claimed.previous_secret
      ? [claimed.secret, claimed.previous_secret]
      : [claimed.secret];
    let secrets: string[];
    try {
      secrets = sealed.map((value) => this.keyring.open(value, context));
    } catch (error) {
      this.logger.error(`delivery ${claimed.id} not sent: ${(error as Error).message}`);
      throw error;
    }
    const headers = signWebhook(secrets, claimed.event_id, requestedAt, body);
    const result = await postWebhook({
      url: claimed.url,
      body,
      headers: { ...headers },
      timeoutMs: DELIVERY_TIMEOUT_MS,
      resolver: this.resolver,
      allowPrivate: this.config.webhookAllowPrivateUrls,
    });
    const recorded = await this.dataSource.transaction((manager) =>
      this.record(manager, claimed.id, claimed.endpoint_id, requestedAt, result),
    );
    if (recorded?.next) await this.relay.enqueueDeliveries([recorded.next]);
    return {
      outcome: 'attempted',
      statusCode: result.statusCode,
      status: recorded?.status ?? 'failed',
    };
  }

  /**
   * Takes the lease on a due, pending delivery in one UPDATE (a concurrent claim waits for the row
   * and then finds it no longer due), and reads what signing needs, secrets included.
   */
  private async claim(deliveryId: string): Promise<ClaimedDelivery | null> {
    const rows = await queryRows<ClaimedDelivery>(
      this.dataSource.manager,
      `WITH claimed AS (
         UPDATE webhook_deliveries
            SET next_attempt_at = now() + ($2::bigint * interval '1 millisecond')
          WHERE id = $1 AND status = 'pending'
            AND next_attempt_at <= now() + ($3::bigint * interval '1 millisecond')
          RETURNING id, attempts, event_id, endpoint_id
       )
       SELECT c.id, c.attempts, c.event_id, c.endpoint_id,
              ev.type AS event_type, ev.data AS event_data, ev.created_at AS event_created_at,
              ep.url, ep.enabled, ep.disabled_reason, ep.secret,
              CASE WHEN ep.previous_secret_expires_at > now() THEN ep.previous_secret END AS previous_secret
         FROM claimed c
         JOIN events ev ON ev.id = c.event_id
         JOIN webhook_endpoints ep ON ep.id = c.endpoint_id`,
      [deliveryId, ATTEMPT_LEASE_MS, DUE_TOLERANCE_MS],
    );
    return rows[0] ?? null;
  }

  /**
   * Records the attempt and moves the delivery on, under the delivery's row lock. The attempt
   * number comes from the row, so even two overlapping attempts (a lease that ran out) number
   * their log entries in order. A 2xx is the only way to `succeeded`.
   */
  private async record(
    manager: EntityManager,
    deliveryId: string,
    endpointId: string,
    requestedAt: Date,
    result: WebhookPostResult,
  ): Promise<{
    status: 'pending' | 'succeeded' | 'failed';
    next?: { id: string; attempt: number; delayMs: number };
  } | null> {
    const rows = await queryRows<{ status: string; attempts: number; delivered: boolean }>(
      manager,
      `SELECT status, attempts, delivered_at IS NOT NULL AS delivered FROM webhook_deliveries WHERE id = $1 FOR UPDATE`,
      [deliveryId],
    );
    if (rows.length === 0) return null; // its endpoint was deleted meanwhile
    const attemptNumber = rows[0].attempts + 1;
    const alreadyDelivered = rows[0].delivered;
    await queryRows(
      manager,
      `INSERT INTO webhook_delivery_attempts
         (delivery_id, attempt_number, status_code, duration_ms, error, response_excerpt, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        deliveryId,
        attemptNumber,
        result.statusCode,
        result.durationMs,
        result.error,
        result.responseExcerpt,
        requestedAt,
      ],
    );
    const decision = decideAfterAttempt(
      result.statusCode,
      result.retryAfter,
      attemptNumber,
      this.config.webhookRetryScheduleMs,
    );
    const lastError =
      result.error ??
      (decision.kind === 'succeeded' ? null : `receiver answered HTTP ${result.statusCode ?? '-'}`);

    if (decision.kind === 'succeeded') {
      await queryRows(
        manager,
        `UPDATE webhook_deliveries
            SET status = 'succeeded', attempts = $2, last_status_code = $3, last_error = NULL,
                next_attempt_at = NULL, delivered_at = now()
          WHERE id = $1`,
        [deliveryId, attemptNumber, result.statusCode],
      );
      // Conditional, so a healthy endpoint's row is not rewritten on every delivery.
      await queryRows(
        manager,
        `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`,
        [endpointId],
      );
      return { status: 'succeeded' };
    }

    await this.noteEndpointFailure(manager, endpointId, decision.kind === 'gone');
    if (decision.kind === 'retry' && !alreadyDelivered) {
      await queryRows(
        manager,
        `UPDATE webhook_deliveries
            SET status = 'pending', attempts = $2, last_status_code = $3, last_error = $4,
                next_attempt_at = now() + ($5::bigint * interval '1 millisecond')
          WHERE id = $1`,
        [deliveryId, attemptNumber, result.statusCode, lastError, decision.delayMs],
      );
      return {
        status: 'pending',
        next: { id: deliveryId, attempt: attemptNumber + 1, delayMs: decision.delayMs },
      };
    }
    // The last attempt, a 410, or a forced redelivery of one that had already succeeded (it stays so).
    const status = alreadyDelivered ? 'succeeded' : 'failed';
    await queryRows(
      manager,
      `UPDATE webhook_deliveries
          SET status = $5, attempts = $2, last_status_code = $3, last_error = $4, next_attempt_at = NULL
        WHERE id = $1`,
      [
        deliveryId,
        attemptNumber,
        result.statusCode,
        decision.kind === 'failed' ? `${lastError}; ${decision.reason}` : lastError,
        status,
      ],
    );
    return { status };
  }

  /**
   * Starts (or continues) the endpoint's failure streak; a 410 disables it at once, and a streak
   * older than DISABLE_FAILING_ENDPOINT_AFTER_MS disables it with the streak's start as the reason.
   */
  private async noteEndpointFailure(
    manager: EntityManager,
    endpointId: string,
    gone: boolean,
  ): Promise<void> {
    if (gone) {
      await queryRows(
        manager,
        `UPDATE webhook_endpoints
            SET enabled = false, failing_since = coalesce(failing_since, now()), updated_at = now(),
                disabled_reason = 'The endpoint answered 410 Gone at ' || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
          WHERE id = $1 AND enabled`,
        [endpointId],
      );
      this.logger.warn(`webhook endpoint ${endpointId} answered 410 Gone and was disabled`);
      return;
    }
    await queryRows(
      manager,
      `UPDATE webhook_endpoints SET failing_since = now() WHERE id = $1 AND failing_since IS NULL`,
      [endpointId],
    );
    const disabled = await queryRows<{ id: string }>(
      manager,
      `UPDATE webhook_endpoints
          SET enabled = false, updated_at = now(),
              disabled_reason = 'Every delivery attempt has failed since '
                || to_char(failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        WHERE id = $1 AND enabled AND failing_since < now() - ($2::bigint * interval '1 millisecond')
        RETURNING id`,
      [endpointId, DISABLE_FAILING_ENDPOINT_AFTER_MS],
    );
    if (disabled.length > 0)
      this.logger.warn(`webhook endpoint ${endpointId} kept failing for days and was disabled`);
  }
}
