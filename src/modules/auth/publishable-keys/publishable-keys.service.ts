import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { unauthenticated } from '../../../common/errors/app-error.js';
import { AppConfig } from '../../../config/app-config.js';
import { queryRows } from '../../../database/sql.js';

export interface PublishableKey {
  key: string;
  livemode: boolean;
  createdAt: Date;
}

interface KeyRow {
  key: string;
  livemode: boolean;
  created_at: Date;
}

const toKey = (row: KeyRow): PublishableKey => ({
  key: row.key,
  livemode: row.livemode,
  createdAt: row.created_at,
});

/** The shape of a publishable key, whatever its mode. */
export const PUBLISHABLE_KEY_PATTERN = /^pk_(test|live)_[A-Za-z0-9_-]{32,64}$/;

/**
 * One publishable key per user and mode (SPEC §13): `pk_test_…` while TEST_MODE is on,
 * `pk_live_…` otherwise. It only ever identifies its owner for checkout sessions (the auth guard
 * refuses it everywhere else), and only in the mode it was made for.
 */
@Injectable()
export class PublishableKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  private get livemode(): boolean {
    return !this.config.testMode;
  }

  private newKey(): string {
    return `${this.livemode ? 'pk_live_' : 'pk_test_'}${randomBytes(24).toString('base64url')}`;
  }

  /** The user's key for the current mode, made on first use (concurrent first calls agree). */
  async get(userId: string): Promise<PublishableKey> {
    await queryRows(
      this.dataSource.manager,
      `INSERT INTO publishable_keys (user_id, livemode, key) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, livemode) DO NOTHING`,
      [userId, this.livemode, this.newKey()],
    );
    const rows = await queryRows<KeyRow>(
      this.dataSource.manager,
      `SELECT key, livemode, created_at FROM publishable_keys WHERE user_id = $1 AND livemode = $2`,
      [userId, this.livemode],
    );
    return toKey(rows[0]);
  }

  /** Replaces the key of the current mode; the old one stops working at once. */
  async roll(userId: string): Promise<PublishableKey> {
    const rows = await queryRows<KeyRow>(
      this.dataSource.manager,
      `INSERT INTO publishable_keys (user_id, livemode, key) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, livemode) DO UPDATE SET key = EXCLUDED.key, created_at = now()
       RETURNING key, livemode, created_at`,
      [userId, this.livemode, this.newKey()],
    );
    return toKey(rows[0]);
  }

  /** The owner of a key of the current mode; 401 for anything else. */
  async authenticate(key: string): Promise<{ userId: string; email: string }> {
    if (!PUBLISHABLE_KEY_PATTERN.test(key)) throw unauthenticated('Invalid publishable key');
    const rows = await queryRows<{ user_id: string; email: string }>(
      this.dataSource.manager,
      `SELECT k.user_id, u.email FROM publishable_keys k JOIN users u ON u.id = k.user_id
        WHERE k.key = $1 AND k.livemode = $2`,
      [key, this.livemode],
    );
    if (rows.length === 0) throw unauthenticated('Invalid publishable key');
    return { userId: rows[0].user_id, email: rows[0].email };
  }
}
