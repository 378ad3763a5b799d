import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DataKeyring } from '../../common/crypto/data-keyring.js';
import { conflict, notFound, unprocessable } from '../../common/errors/app-error.js';
import { AppConfig } from '../../config/app-config.js';
import {
  CursorPart,
  cursorTimestampSql,
  decodeCursor,
  encodeCursor,
} from '../../common/pagination/cursor.js';
import { checkWebhookUrl, WebhookDnsResolver, WebhookUrlNotAllowedError } from './url-safety.js';
import { generateWebhookSecret, secretContext } from './webhook-signer.js';
import { isUuid } from '../../common/validation/uuid.js';
import { queryRows } from '../../database/sql.js';
import type { WebhookEndpointDto } from './dto/webhook-endpoint.dto.js';

/** How long the secret replaced by a rotation keeps signing beside the new one. */
export const SECRET_ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

interface EndpointRow {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: Date | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
  cursor_at?: string;
}

// Never the secrets: they leave the database only to sign, and only in the delivery path.
const ENDPOINT_COLUMNS = `id, url, events, description, enabled, disabled_reason, failing_since,
  CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS previous_secret_expires_at,
  created_at, updated_at`;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function toEndpointDto(row: EndpointRow): WebhookEndpointDto {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    enabled: row.enabled,
    disabled_reason: row.disabled_reason,
    failing_since: iso(row.failing_since),
    previous_secret_expires_at: iso(row.previous_secret_expires_at),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export interface EndpointInput {
  url: string;
  events: string[];
  description?: string;
}

export interface EndpointPatch {
  url?: string;
  events?: string[];
  description?: string | null;
  enabled?: boolean;
}

/** Endpoint management, always scoped to the owner: another owner's endpoint reads as not found. */
@Injectable()
export class WebhookEndpointsService {
  private readonly logger = new Logger(WebhookEndpointsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly resolver: WebhookDnsResolver,
    private readonly keyring: DataKeyring,
  ) {}

  /** The secret is stored sealed with the data key (bound to the endpoint's id) and shown only here. */
  async create(
    userId: string,
    input: EndpointInput,
  ): Promise<{ endpoint: WebhookEndpointDto; secret: string }> {
    await this.assertUrlAllowed(input.url);
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const rows = await this.dataSource.transaction(async (manager) => {
      // Counted under the owner's row lock, so concurrent creates cannot pass the limit together
      // (the API-key limit is held the same way).
      await queryRows(manager, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [userId]);
      const [{ count }] = await queryRows<{ count: number }>(
        manager,
        `SELECT count(*)::int AS count FROM webhook_endpoints WHERE user_id = $1`,
        [userId],
      );
      const max = this.config.webhookEndpointsMax;
      if (count >= max) {
        throw conflict(
          'WEBHOOK_ENDPOINT_LIMIT',
          `You already have ${count} webhook endpoints, the most allowed (${max}); delete one first`,
        );
      }
      return queryRows<EndpointRow>(
        manager,
        `INSERT INTO webhook_endpoints (id, user_id, url, events, description, secret)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ENDPOINT_COLUMNS}`,
        [
          id,
          userId,
          input.url,
          normalizeEvents(input.events),
          input.description ?? null,
          this.keyring.seal(secret, secretContext(id)),
        ],
      );
    });
    return { endpoint: toEndpointDto(rows[0]), secret };
  }

  async list(
    userId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ endpoints: WebhookEndpointDto[]; nextCursor: string | null }> {
    const params: unknown[] = [userId, limit + 1];
    let after = '';
    const position = decodeCursor(cursor, [CursorPart.timestamp, CursorPart.uuid]);
    if (position) {
      const [createdAt, id] = position;
      params.push(createdAt, id);
      after = `AND (created_at, id) < ($3::timestamptz, $4::uuid)`;
    }
    const rows = await queryRows<EndpointRow>(
      this.dataSource.manager,
      `SELECT ${ENDPOINT_COLUMNS}, ${cursorTimestampSql('created_at')} AS cursor_at FROM webhook_endpoints
       WHERE user_id = $1 ${after} ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      endpoints: page.map(toEndpointDto),
      nextCursor:
        rows.length > limit && last?.cursor_at ? encodeCursor(last.cursor_at, last.id) : null,
    };
  }

  async get(userId: string, id: string): Promise<WebhookEndpointDto> {
    if (!isUuid(id)) throw notFound('Webhook endpoint');
    const rows = await queryRows<EndpointRow>(
      this.dataSource.manager,
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    if (rows.length === 0) throw notFound('Webhook endpoint');
    return toEndpointDto(rows[0]);
  }

  async update(userId: string, id: string, patch: EndpointPatch): Promise<WebhookEndpointDto> {
    await this.get(userId, id);
    if (patch.url !== undefined) await this.assertUrlAllowed(patch.url);
    const sets: string[] = [];
    const params: unknown[] = [id, userId];
    const set = (column: string, value: unknown): void => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (patch.url !== undefined) set('url', patch.url);
    if (patch.events !== undefined) set('events', normalizeEvents(patch.events));
    if (patch.description !== undefined) set('description', patch.description);
    if (patch.enabled !== undefined) {
      set('enabled', patch.enabled);
      // Re-enabling starts afresh; disabling by hand is not a system reason.
      sets.push('disabled_reason = NULL', 'failing_since = NULL');
    }
    if (sets.length === 0) return this.get(userId, id);
    const rows = await queryRows<EndpointRow>(
      this.dataSource.manager,
      `UPDATE webhook_endpoints SET ${sets.join(', ')}, updated_at = now()
       WHERE id = $1 AND user_id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
      params,
    );
    if (rows.length === 0) throw notFound('Webhook endpoint');
    return toEndpointDto(rows[0]);
  }

  /** Deleting an endpoint also deletes its deliveries and their attempts; its events remain. */
  async delete(userId: string, id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('Webhook endpoint');
    const deleted = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `DELETE FROM webhook_endpoints WHERE id = $1 AND user_id = $2 RETURNING id`,
      [id, userId],
    );
    if (deleted.length === 0) throw notFound('Webhook endpoint');
  }

  /**
   * A new secret, shown once. The current one keeps signing beside it for 24 hours so receivers
   * can switch without missing a delivery; a second rotation within those hours drops the oldest.
   * Both stay sealed (the current one moves to previous_secret as it is).
   */
  async rotateSecret(
    userId: string,
    id: string,
  ): Promise<{ endpoint: WebhookEndpointDto; secret: string }> {
    if (!isUuid(id)) throw notFound('Webhook endpoint');
    const secret = generateWebhookSecret();
    const rows = await queryRows<EndpointRow>(
      this.dataSource.manager,
      `UPDATE webhook_endpoints
          SET previous_secret = secret,
              previous_secret_expires_at = now() + ($3::bigint * interval '1 millisecond'),
              secret = $4,
              updated_at = now()
        WHERE id = $1 AND user_id = $2
        RETURNING ${ENDPOINT_COLUMNS}`,
      [id, userId, SECRET_ROTATION_OVERLAP_MS, this.keyring.seal(secret, secretContext(id))],
    );
    if (rows.length === 0) throw notFound('Webhook endpoint');
    return { endpoint: toEndpointDto(rows[0]), secret };
  }

  private async assertUrlAllowed(url: string): Promise<void> {
    try {
      await checkWebhookUrl(url, this.resolver, this.config.webhookAllowPrivateUrls);
    } catch (error) {
      if (error instanceof WebhookUrlNotAllowedError) {
        this.logger.warn(`webhook URL refused: ${error.detail}`);
        throw unprocessable(error.code, 'This webhook URL is not allowed', [
          { field: 'url', message: error.message },
        ]);
      }
      throw error;
    }
  }
}

/** `*` swallows every other filter; otherwise a sorted, de-duplicated list. */
function normalizeEvents(events: string[]): string[] {
  if (events.includes('*')) return ['*'];
  return [...new Set(events)].sort();
}
