import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { unauthenticated } from '../../../common/errors/app-error.js';
import { AppConfig } from '../../../config/app-config.js';
import { queryRows } from '../../../database/sql.js';
import { MicroBatcher } from '../../../common/batching/micro-batcher.js';
import { User } from '../../users/user.entity.js';
import { randomToken, sha256 } from '../crypto.js';
import { isUuid } from '../../../common/validation/uuid.js';

export interface AccessClaims {
  sub: string;
  email: string;
  /** Refresh-token family: the session this access token belongs to. */
  fam: string;
  typ: 'access';
  /** Expiry, seconds since the epoch (set by the signer from JWT_ACCESS_TTL). */
  exp?: number;
}

export interface IssuedSession {
  accessToken: string;
  refreshToken: string;
  /** Access-token lifetime in seconds. */
  expiresIn: number;
  familyId: string;
  user: User;
}

type RefreshOutcome =
  | { kind: 'rotated'; session: IssuedSession }
  | { kind: 'unknown' | 'reused' | 'revoked' | 'expired' };

const isAccessClaims = (value: unknown): value is AccessClaims => {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    claims.typ === 'access' &&
    typeof claims.sub === 'string' &&
    typeof claims.email === 'string' &&
    typeof claims.fam === 'string'
  );
};

/** Access tokens remembered as verified per process (a bound on memory, not on security). */
const MAX_VERIFIED_TOKENS = 10_000;
/** Longer tokens are verified every time and never remembered. */
const MAX_REMEMBERED_TOKEN_LENGTH = 2_048;

/** Access tokens (JWT) and rotating refresh tokens grouped in families. */
@Injectable()
export class TokensService {
  /**
   * Access tokens that verified, by their exact text, with their claims: the same bytes verify
   * the same way until `exp`, so a token seen again is checked for expiry only (the signature, the
   * algorithm and the shape were checked when it was remembered). Revocation does not depend on
   * this: the session is looked up on every request (isFamilyActive). Verifying costs about 7 %
   * of the API process's CPU per request under load (bench/README.md, 2026-12-07).
   */
  private readonly verified = new Map<string, AccessClaims>();
  /** Session checks of concurrent requests, answered by one query per batch. */
  private readonly familyChecks = new MicroBatcher<{ familyId: string; userId: string }, boolean>(
    (sessions) => this.activeFamilies(sessions),
    { maxBatch: 200, maxInFlight: 1, startIdleAtOnce: true },
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  get accessTtlSeconds(): number {
    return Math.max(1, Math.floor(this.config.jwtAccessTtlMs / 1000));
  }

  /** Starts a session for the user: a new family, its first refresh token and an access token. */
  async issueSession(user: User): Promise<IssuedSession> {
    return this.dataSource.transaction(async (manager) => {
      const [family] = await queryRows<{ id: string }>(
        manager,
        `INSERT INTO refresh_token_families (user_id) VALUES ($1) RETURNING id`,
        [user.id],
      );
      return this.mint(manager, user, family.id);
    });
  }

  /**
   * Rotates a refresh token. Claiming it is one conditional UPDATE (`used_at IS NULL`), so of
   * two concurrent presentations exactly one wins; the loser, like any later presentation of a
   * used token, is treated as reuse and revokes the whole family.
   */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    const hash = sha256(refreshToken);
    const outcome = await this.dataSource.transaction(async (manager): Promise<RefreshOutcome> => {
      const [claimed] = await queryRows<{
        familyId: string;
        expired: boolean;
        revoked: boolean;
        userId: string;
      }>(
        manager,
        `UPDATE refresh_tokens t SET used_at = now()
         FROM refresh_token_families f
         WHERE t.token_hash = $1 AND t.used_at IS NULL AND f.id = t.family_id
         RETURNING t.family_id AS "familyId", t.expires_at <= now() AS expired,
                   f.revoked_at IS NOT NULL AS revoked, f.user_id AS "userId"`,
        [hash],
      );
      if (!claimed) {
        const [used] = await queryRows<{ familyId: string }>(
          manager,
          `SELECT family_id AS "familyId" FROM refresh_tokens WHERE token_hash = $1`,
          [hash],
        );
        if (!used) return { kind: 'unknown' };
        await this.revokeFamilyIn(manager, used.familyId, 'reuse');
        return { kind: 'reused' };
      }
      if (claimed.revoked) return { kind: 'revoked' };
      if (claimed.expired) return { kind: 'expired' };
      const user = await manager
        .getRepository(User)
        .findOneOrFail({ where: { id: claimed.userId } });
      return { kind: 'rotated', session: await this.mint(manager, user, claimed.familyId) };
    });
    switch (outcome.kind) {
      case 'rotated':
        return outcome.session;
      case 'reused':
        throw unauthenticated('Refresh token was already used; the session has been revoked');
      case 'revoked':
        throw unauthenticated('Session has been revoked');
      case 'expired':
        throw unauthenticated('Refresh token has expired');
      case 'unknown':
        throw unauthenticated('Refresh token is not valid');
    }
  }

  /** Ends a session: its refresh tokens and access tokens stop working. */
  async revokeFamily(familyId: string, reason: 'logout' | 'reuse'): Promise<void> {
    await this.revokeFamilyIn(this.dataSource.manager, familyId, reason);
  }

  /**
   * Ends the session a refresh token belongs to, whether or not that token was already used (a
   * sign-out with a stale cookie still ends the session). An unknown token ends nothing.
   */
  async revokeByRefreshToken(refreshToken: string): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource.manager,
      `UPDATE refresh_token_families f SET revoked_at = now(), revoked_reason = 'logout'
       FROM refresh_tokens t
       WHERE t.token_hash = $1 AND f.id = t.family_id AND f.revoked_at IS NULL
       RETURNING 1`,
      [sha256(refreshToken)],
    );
    return rows.length > 0;
  }

  /** Verifies signature, algorithm, expiry and shape; any failure is a 401. */
  async verifyAccessToken(token: string): Promise<AccessClaims> {
    const remembered = this.verified.get(token);
    if (remembered) {
      // jsonwebtoken's own test: expired once the current second reaches `exp`.
      if (typeof remembered.exp === 'number' && Math.floor(Date.now() / 1000) < remembered.exp)
        return remembered;
      this.verified.delete(token);
    }
    let payload: unknown;
    try {
      payload = await this.jwt.verifyAsync<Record<string, unknown>>(token);
    } catch {
      throw unauthenticated('Access token is invalid or expired');
    }
    if (!isAccessClaims(payload)) throw unauthenticated('Access token is invalid or expired');
    if (typeof payload.exp === 'number' && token.length <= MAX_REMEMBERED_TOKEN_LENGTH) {
      if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.clear();
      this.verified.set(token, Object.freeze(payload));
    }
    return payload;
  }

  /** One primary-key lookup per request, so logout and reuse revocation take effect at once. */
  /**
   * Whether the session an access token belongs to is still open (not logged out, no refresh
   * token reused). Asked on every JWT request, so concurrent requests share one query (see
   * familyChecks); each still sees every revocation committed before its query started.
   */
  async isFamilyActive(familyId: string, userId: string): Promise<boolean> {
    if (!isUuid(familyId) || !isUuid(userId)) return false;
    return this.familyChecks.submit({ familyId, userId });
  }

  private async activeFamilies(
    sessions: { familyId: string; userId: string }[],
  ): Promise<boolean[]> {
    const rows = await queryRows<{ id: string; user_id: string }>(
      this.dataSource.manager,
      `SELECT id, user_id FROM refresh_token_families WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL`,
      [sessions.map((session) => session.familyId)],
    );
    const active = new Set(rows.map((row) => `${row.id}/${row.user_id}`));
    return sessions.map((session) =>
      active.has(`${session.familyId.toLowerCase()}/${session.userId.toLowerCase()}`),
    );
  }

  /**
   * Housekeeping: refresh tokens a day past expiry (presenting one is a plain 401 from then on),
   * sessions left with no tokens (their access tokens expired long before), and OAuth states
   * past expiry.
   */
  async purgeExpired(): Promise<{ tokens: number; families: number; states: number }> {
    const tokens = await queryRows(
      this.dataSource.manager,
      `DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day' RETURNING 1`,
    );
    const families = await queryRows(
      this.dataSource.manager,
      `DELETE FROM refresh_token_families f
       WHERE f.created_at < now() - interval '1 day'
         AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id)
       RETURNING 1`,
    );
    const states = await queryRows(
      this.dataSource.manager,
      `DELETE FROM oauth_states WHERE expires_at < now() RETURNING 1`,
    );
    return { tokens: tokens.length, families: families.length, states: states.length };
  }

  private async revokeFamilyIn(
    manager: EntityManager,
    familyId: string,
    reason: 'logout' | 'reuse',
  ): Promise<void> {
    await queryRows(
      manager,
      `UPDATE refresh_token_families SET revoked_at = now(), revoked_reason = $2
       WHERE id = $1 AND revoked_at IS NULL`,
      [familyId, reason],
    );
  }

  private async mint(manager: EntityManager, user: User, familyId: string): Promise<IssuedSession> {
    const refreshToken = randomToken();
    await queryRows(
      manager,
      `INSERT INTO refresh_tokens (family_id, token_hash, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [familyId, sha256(refreshToken), this.config.jwtRefreshTtlMs / 1000],
    );
    const claims: AccessClaims = { sub: user.id, email: user.email, fam: familyId, typ: 'access' };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.accessTtlSeconds });
    return { accessToken, refreshToken, expiresIn: this.accessTtlSeconds, familyId, user };
  }
}
