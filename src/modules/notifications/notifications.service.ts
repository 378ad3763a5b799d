import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { notFound } from '../../common/errors/app-error.js';
import {
  CursorPart,
  cursorTimestampSql,
  decodeCursor,
  keysetPage,
} from '../../common/pagination/cursor.js';
import { isUuid } from '../../common/validation/uuid.js';
import { queryRows } from '../../database/sql.js';
import type { EmailPreferencesDto, NotificationDto } from './dto/notification.dto.js';
import { EMAIL_PREFERENCES, type EmailPreference } from './notification-rules.js';

type EmailSwitches = Record<EmailPreference, boolean>;
// The DTO and the list of switches must name the same keys.
const sameKeys: [Required<EmailPreferencesDto>, EmailSwitches] extends [
  EmailSwitches,
  Required<EmailPreferencesDto>,
]
  ? true
  : never = true;
void sameKeys;

interface NotificationRow {
  id: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  read_at: Date | null;
  created_at: Date;
  email_status: string;
  cursor_at: string;
}

const COLUMNS = `id, type, title, body, data, read_at, created_at, email_status`;

function toDto(row: Omit<NotificationRow, 'cursor_at'>): NotificationDto {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    body: row.body,
    data: row.data,
    read_at: row.read_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    email_status: row.email_status,
  };
}

/** A user's in-app notifications and email preferences (SPEC §16), owner-scoped. */
@Injectable()
export class NotificationsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(
    userId: string,
    options: { unread: boolean; limit: number; cursor?: string },
  ): Promise<{ notifications: NotificationDto[]; nextCursor: string | null }> {
    const params: unknown[] = [userId, options.limit + 1];
    const where = ['user_id = $1'];
    if (options.unread) where.push('read_at IS NULL');
    const position = decodeCursor(options.cursor, [CursorPart.timestamp, CursorPart.uuid]);
    if (position) {
      params.push(position[0], position[1]);
      where.push(`(created_at, id) < ($3::timestamptz, $4::uuid)`);
    }
    const rows = await queryRows<NotificationRow>(
      this.dataSource.manager,
      `SELECT ${COLUMNS}, ${cursorTimestampSql('created_at')} AS cursor_at FROM notifications
        WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC
        LIMIT $2`,
      params,
    );
    const { page, nextCursor } = keysetPage(rows, options.limit, (last) => [
      last.cursor_at,
      last.id,
    ]);
    return { notifications: page.map(toDto), nextCursor };
  }

  /** Marks one read (keeping the first read time); another user's id reads as not found. */
  async markRead(userId: string, id: string): Promise<NotificationDto> {
    if (!isUuid(id)) throw notFound('Notification not found');
    const [row] = await queryRows<NotificationRow>(
      this.dataSource.manager,
      `UPDATE notifications SET read_at = coalesce(read_at, now())
        WHERE id = $1 AND user_id = $2
        RETURNING ${COLUMNS}`,
      [id, userId],
    );
    if (!row) throw notFound('Notification not found');
    return toDto(row);
  }

  async markAllRead(userId: string): Promise<number> {
    const rows = await queryRows(
      this.dataSource.manager,
      `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL RETURNING 1`,
      [userId],
    );
    return rows.length;
  }

  async preferences(userId: string): Promise<EmailSwitches> {
    const [row] = await queryRows<{ email: Record<string, unknown> }>(
      this.dataSource.manager,
      `SELECT email FROM notification_preferences WHERE user_id = $1`,
      [userId],
    );
    return effective(row?.email ?? {});
  }

  /** Merges the given switches into the stored ones, in one statement (no lost update). */
  async updatePreferences(userId: string, email: EmailPreferencesDto): Promise<EmailSwitches> {
    const changes = Object.fromEntries(
      EMAIL_PREFERENCES.filter((key) => typeof email[key] === 'boolean').map((key) => [
        key,
        email[key],
      ]),
    );
    const [row] = await queryRows<{ email: Record<string, unknown> }>(
      this.dataSource.manager,
      `INSERT INTO notification_preferences (user_id, email) VALUES ($1, $2::jsonb)
       ON CONFLICT (user_id) DO UPDATE
         SET email = notification_preferences.email || EXCLUDED.email, updated_at = now()
       RETURNING email`,
      [userId, JSON.stringify(changes)],
    );
    return effective(row.email);
  }
}

function effective(stored: Record<string, unknown>): EmailSwitches {
  return Object.fromEntries(
    EMAIL_PREFERENCES.map((key) => [key, stored[key] !== false]),
  ) as EmailSwitches;
}
