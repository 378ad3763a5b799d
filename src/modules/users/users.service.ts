import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, conflict } from '../../common/errors/app-error.js';
import { queryRows } from '../../database/sql.js';
import { AppEvents } from '../events/app-events.js';
import { User } from './user.entity.js';

export interface NewUser {
  email: string;
  name?: string | null;
  googleSub?: string | null;
}

export interface GoogleIdentity {
  sub: string;
  email: string;
  name: string | null;
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: AppEvents,
  ) {}

  /**
   * Creates a user inside the caller's transaction and emits 'user.created' (the wallet opens) in
   * that same transaction, so a user never exists without a wallet. A taken email or Google
   * subject is a 409.
   */
  async createUser(manager: EntityManager, data: NewUser): Promise<User> {
    const user = await this.insertIfAbsent(manager, data);
    if (!user)
      throw conflict('USER_EXISTS', 'A user with this email or Google account already exists');
    return user;
  }

  async findById(id: string): Promise<User | null> {
    return this.dataSource.getRepository(User).findOne({ where: { id } });
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.dataSource.getRepository(User).findOne({ where: { email: normalizeEmail(email) } });
  }

  /** The local user with this email, created (with wallet) when missing; safe to race. */
  async findOrCreateByEmail(email: string, name: string | null = null): Promise<User> {
    const normalized = normalizeEmail(email);
    const existing = await this.findByEmail(normalized);
    if (existing) return existing;
    const created = await this.dataSource.transaction((manager) =>
      this.insertIfAbsent(manager, { email: normalized, name }),
    );
    if (created) return created;
    // Another request created it between our read and our insert.
    const raced = await this.findByEmail(normalized);
    if (!raced) throw new Error(`user ${normalized} vanished after a conflicting insert`);
    return raced;
  }

  /**
   * The person Google vouches for: found by `sub`; else an existing account with the same
   * (Google-verified) email and no Google link yet is linked; else a new user is created.
   */
  async findOrCreateByGoogle(identity: GoogleIdentity): Promise<User> {
    const email = normalizeEmail(identity.email);
    for (let attempt = 0; attempt < 3; attempt++) {
      const bySub = await this.dataSource
        .getRepository(User)
        .findOne({ where: { googleSub: identity.sub } });
      if (bySub) return bySub;

      const byEmail = await this.findByEmail(email);
      if (byEmail) {
        if (byEmail.googleSub !== null) {
          throw conflict(
            'EMAIL_IN_USE',
            'This email belongs to an account linked to another Google identity',
          );
        }
        const linked = await queryRows<{ id: string }>(
          this.dataSource.manager,
          `UPDATE users SET google_sub = $1, name = COALESCE(name, $2), updated_at = now()
           WHERE id = $3 AND google_sub IS NULL RETURNING id`,
          [identity.sub, identity.name, byEmail.id],
        );
        if (linked.length === 1) return (await this.findById(byEmail.id)) as User;
        continue; // linked concurrently; look again
      }

      const created = await this.dataSource.transaction((manager) =>
        this.insertIfAbsent(manager, { email, name: identity.name, googleSub: identity.sub }),
      );
      if (created) return created;
      // A concurrent first sign-in won the insert; the next pass finds its row.
    }
    throw new AppError(
      409,
      'CONFLICT',
      'Could not sign in because the account changed concurrently; try again',
    );
  }

  /** INSERT … ON CONFLICT DO NOTHING: 'user.created' runs only in the transaction that really created the row. */
  private async insertIfAbsent(manager: EntityManager, data: NewUser): Promise<User | null> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO users (email, name, google_sub) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING id`,
      [normalizeEmail(data.email), data.name ?? null, data.googleSub ?? null],
    );
    if (rows.length === 0) return null;
    const user = await manager.getRepository(User).findOneOrFail({ where: { id: rows[0].id } });
    await this.events.emit('user.created', manager, user);
    return user;
  }
}
