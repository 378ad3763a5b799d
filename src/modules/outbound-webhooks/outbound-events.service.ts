import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  CursorPart,
  cursorTimestampSql,
  decodeCursor,
  keysetPage,
} from '../../common/pagination/cursor.js';
import { queryRows } from '../../database/sql.js';
import type { OutboundEventDto } from './dto/webhook-delivery.dto.js';

/** Reads the owner's outbox, newest first, so an integrator can catch up on missed deliveries. */
@Injectable()
export class OutboundEventsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(
    userId: string,
    options: { type?: string; limit: number; cursor?: string },
  ): Promise<{ events: OutboundEventDto[]; nextCursor: string | null }> {
    const params: unknown[] = [userId, options.limit + 1];
    const where = ['user_id = $1'];
    if (options.type) {
      params.push(options.type);
      where.push(`type = $${params.length}`);
    }
    const position = decodeCursor(options.cursor, [CursorPart.timestamp, CursorPart.token]);
    if (position) {
      const [createdAt, id] = position;
      params.push(createdAt, id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    const rows = await queryRows<{
      id: string;
      type: string;
      data: Record<string, unknown>;
      created_at: Date;
      cursor_at: string;
    }>(
      this.dataSource.manager,
      `SELECT id, type, data, created_at, ${cursorTimestampSql('created_at')} AS cursor_at FROM events
          WHERE ${where.join(' AND ')}
          ORDER BY created_at DESC, id DESC
          LIMIT $2`,
      params,
    );
    const { page, nextCursor } = keysetPage(rows, options.limit, (last) => [
      last.cursor_at,
      last.id,
    ]);
    return {
      events: page.map((row) => ({
        id: row.id,
        event: row.type,
        timestamp: Math.floor(row.created_at.getTime() / 1000),
        data: row.data,
        created_at: row.created_at.toISOString(),
      })),
      nextCursor,
    };
  }
}
