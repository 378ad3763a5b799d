import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../../database/sql.js';
import { randomToken, sha256 } from '../auth/crypto.js';

/** How long a one-time sign-in link works (SPEC §18). */
export const SIGN_IN_LINK_TTL_SECONDS = 600;

/** One-time dashboard sign-in links: single use, 10 minutes, only the SHA-256 stored. */
@Injectable()
export class SignInLinksService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A new link token for the user; the plain token exists only in the answer. */
  async create(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = randomToken();
    // Housekeeping rides along with new links: nothing else reads expired ones.
    await queryRows(
      this.dataSource.manager,
      `DELETE FROM dashboard_sign_in_links WHERE expires_at < now() - interval '1 day'`,
    );
    const [row] = await queryRows<{ expiresAt: Date }>(
      this.dataSource.manager,
      `INSERT INTO dashboard_sign_in_links (token_hash, user_id, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3))
       RETURNING expires_at AS "expiresAt"`,
      [sha256(token), userId, SIGN_IN_LINK_TTL_SECONDS],
    );
    return { token, expiresAt: row.expiresAt };
  }

  /**
   * Uses a link: one conditional UPDATE, so of two concurrent uses exactly one gets the user and
   * a used, expired or unknown token gets null.
   */
  async consume(token: string): Promise<string | null> {
    const [row] = await queryRows<{ userId: string }>(
      this.dataSource.manager,
      `UPDATE dashboard_sign_in_links SET used_at = now()
       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
       RETURNING user_id AS "userId"`,
      [sha256(token)],
    );
    return row?.userId ?? null;
  }
}
