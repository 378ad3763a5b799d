import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PERMISSIONS, Permission } from '../../../common/auth/principal.js';
import {
  conflict,
  notFound,
  unauthenticated,
  unprocessable,
  validationFailed,
} from '../../../common/errors/app-error.js';
import { AppConfig } from '../../../config/app-config.js';
import { queryRows } from '../../../database/sql.js';
import { randomToken, sha256 } from '../crypto.js';
import { ApiKeyExpiry, apiKeyExpiresAt } from './api-key-expiry.js';
import { ApiKey } from './api-key.entity.js';
import { isUuid } from '../../../common/validation/uuid.js';
import { CursorPart, decodeCursor, encodeCursor } from '../../../common/pagination/cursor.js';

export const MAX_ACTIVE_API_KEYS = 5;
/** `last_used_at` is a hint for people, not an audit log: one write per key per minute at most. */
const LAST_USED_RESOLUTION_MS = 60_000;
const RANDOM_PART = /^[A-Za-z0-9_-]{43}$/;

export interface NewApiKey {
  name: string;
  permissions: Permission[];
  expiry: ApiKeyExpiry;
}

export interface CreatedApiKey {
  key: ApiKey;
  /** The plain key: returned to the caller once and never stored. */
  plain: string;
}

export interface ApiKeyPage {
  keys: ApiKey[];
  nextCursor: string | null;
}

export interface AuthenticatedKey {
  id: string;
  userId: string;
  email: string;
  permissions: Permission[];
}

interface KeyLookupRow {
  id: string;
  userId: string;
  email: string;
  permissions: Permission[];
  revoked: boolean;
  expired: boolean;
  lastUsedAt: Date | null;
}

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async create(userId: string, input: NewApiKey): Promise<CreatedApiKey> {
    return this.dataSource.transaction((manager) => this.createIn(manager, userId, input, null));
  }

  /** Issues a new key with the name and permissions of one that has expired. */
  async rollover(
    userId: string,
    expiredKeyId: string,
    expiry: ApiKeyExpiry,
  ): Promise<CreatedApiKey> {
    return this.dataSource.transaction(async (manager) => {
      await this.lockUser(manager, userId);
      const old = await this.findOwned(manager, userId, expiredKeyId);
      if (old.expiresAt.getTime() > Date.now()) {
        throw unprocessable(
          'API_KEY_NOT_EXPIRED',
          'Only an expired key can be rolled over; revoke it instead',
        );
      }
      // Revoking is final: a key revoked (say, because it leaked) is not brought back as a new
      // key with its permissions once it also expires.
      if (old.revokedAt !== null) {
        throw unprocessable(
          'API_KEY_REVOKED',
          'A revoked key cannot be rolled over; create a new key instead',
        );
      }
      return this.createIn(
        manager,
        userId,
        { name: old.name, permissions: old.permissions, expiry },
        old.id,
      );
    });
  }

  async list(userId: string, limit: number, cursor?: string): Promise<ApiKeyPage> {
    const query = this.dataSource
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .where('k.user_id = :userId', { userId })
      .orderBy('k.created_at', 'DESC')
      .addOrderBy('k.id', 'DESC')
      .take(limit + 1);
    const [after] = decodeCursor(cursor, [CursorPart.uuid]) ?? [];
    if (after) {
      query.andWhere(
        '(k.created_at, k.id) < (SELECT c.created_at, c.id FROM api_keys c WHERE c.id = :after)',
        { after },
      );
    }
    const rows = await query.getMany();
    const keys = rows.slice(0, limit);
    return {
      keys,
      nextCursor: rows.length > limit ? encodeCursor(keys[keys.length - 1].id) : null,
    };
  }

  /** Revoking is idempotent: a revoked key stays revoked with its first revocation time. */
  async revoke(userId: string, keyId: string): Promise<ApiKey> {
    const key = await this.findOwned(this.dataSource.manager, userId, keyId);
    await queryRows(
      this.dataSource.manager,
      `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
      [key.id],
    );
    return this.findOwned(this.dataSource.manager, userId, keyId);
  }

  /** Resolves a presented key; unknown, revoked and expired keys are all 401. */
  async authenticate(plain: string): Promise<AuthenticatedKey> {
    const prefix = this.config.apiKeyPrefix;
    if (!plain.startsWith(prefix) || !RANDOM_PART.test(plain.slice(prefix.length))) {
      throw unauthenticated('API key is not valid');
    }
    const [row] = await queryRows<KeyLookupRow>(
      this.dataSource.manager,
      `SELECT k.id, k.user_id AS "userId", u.email, k.permissions,
              k.revoked_at IS NOT NULL AS revoked, k.expires_at <= now() AS expired,
              k.last_used_at AS "lastUsedAt"
       FROM api_keys k JOIN users u ON u.id = k.user_id
       WHERE k.key_hash = $1`,
      [sha256(plain)],
    );
    if (!row) throw unauthenticated('API key is not valid');
    if (row.revoked) throw unauthenticated('API key has been revoked');
    if (row.expired) throw unauthenticated('API key has expired');
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await this.touch(row.id);
    }
    return { id: row.id, userId: row.userId, email: row.email, permissions: row.permissions };
  }

  isExpired(key: ApiKey, now = Date.now()): boolean {
    return key.expiresAt.getTime() <= now;
  }

  private async touch(keyId: string): Promise<void> {
    try {
      // The condition makes concurrent first uses within a minute write once.
      await queryRows(
        this.dataSource.manager,
        `UPDATE api_keys SET last_used_at = now()
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= now() - interval '1 minute')`,
        [keyId],
      );
    } catch (error) {
      // A missed usage timestamp must not fail the request it describes.
      this.logger.warn(
        `could not record last use of API key ${keyId}: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Locks the user's row so that concurrent creations for one user run one at a time and the
   * active-key count cannot be raced past the limit.
   */
  private async lockUser(manager: EntityManager, userId: string): Promise<void> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `SELECT id FROM users WHERE id = $1 FOR UPDATE`,
      [userId],
    );
    if (rows.length === 0) throw unauthenticated('User no longer exists');
  }

  private async createIn(
    manager: EntityManager,
    userId: string,
    input: NewApiKey,
    rolledOverFromId: string | null,
  ): Promise<CreatedApiKey> {
    const unknown = input.permissions.filter((permission) => !PERMISSIONS.includes(permission));
    if (unknown.length > 0) {
      throw validationFailed([
        { field: 'permissions', message: `unknown permissions: ${unknown.join(', ')}` },
      ]);
    }
    await this.lockUser(manager, userId);
    const [{ active }] = await queryRows<{ active: number }>(
      manager,
      `SELECT count(*)::int AS active FROM api_keys
       WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()`,
      [userId],
    );
    if (active >= MAX_ACTIVE_API_KEYS) {
      throw conflict(
        'API_KEY_LIMIT',
        `At most ${MAX_ACTIVE_API_KEYS} active API keys per user; revoke one first`,
      );
    }
    const random = randomToken();
    const plain = `${this.config.apiKeyPrefix}${random}`;
    const createdAt = new Date();
    const [{ id }] = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO api_keys (user_id, name, key_hash, key_prefix, permissions, expires_at, rolled_over_from_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        userId,
        input.name,
        sha256(plain),
        `${this.config.apiKeyPrefix}${random.slice(0, 8)}`,
        [...new Set(input.permissions)],
        apiKeyExpiresAt(input.expiry, createdAt),
        rolledOverFromId,
        createdAt,
      ],
    );
    const key = await manager.getRepository(ApiKey).findOneOrFail({ where: { id } });
    return { key, plain };
  }

  private async findOwned(manager: EntityManager, userId: string, keyId: string): Promise<ApiKey> {
    // A malformed id cannot name a key; answering 404 keeps ids opaque.
    if (!isUuid(keyId)) throw notFound('API key');
    const key = await manager.getRepository(ApiKey).findOne({ where: { id: keyId, userId } });
    if (!key) throw notFound('API key');
    return key;
  }
}
