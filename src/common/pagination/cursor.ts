import { validationFailed } from '../errors/app-error.js';
import { isUuid } from '../validation/uuid.js';

/** Checks one part of a cursor's position as it comes back from a client. */
export type CursorPart = (value: string) => boolean;

/** The parts positions are made of. */
export const CursorPart = {
  uuid: isUuid,
  /** A bigint id (ledger entries). */
  digits: (value: string): boolean => /^\d{1,18}$/.test(value),
  /**
   * A timestamp exactly as cursorTimestampSql prints it (to the microsecond, UTC), and a real
   * date: Date.parse also took "1", "12/31" or "2020-02-30", which PostgreSQL refused (a 500).
   */
  timestamp: (value: string): boolean => {
    const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})\.\d{6}Z$/.exec(value);
    if (!match) return false;
    const parsed = new Date(`${match[1]}T${match[2]}Z`);
    return (
      !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(`${match[1]}T${match[2]}`)
    );
  },
  /** An id of our own making that is not a UUID (`evt_…`). */
  token: (value: string): boolean => /^[A-Za-z0-9_-]{1,64}$/.test(value),
} satisfies Record<string, CursorPart>;

/**
 * The one cursor codec of every cursor-paginated list (SPEC §1): an opaque base64url string
 * holding the keyset position of the last row of a page (its id, or its created_at and id), which
 * the list query continues after, owner-scoped, so a cursor can never reach another's rows.
 */
export function encodeCursor(...position: string[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * The position in `cursor`, each part checked by `parts` in order; undefined without a cursor,
 * 400 VALIDATION_FAILED for one this API did not return.
 */
export function decodeCursor(
  cursor: string | undefined,
  parts: readonly CursorPart[],
): string[] | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    position = undefined;
  }
  if (
    !Array.isArray(position) ||
    position.length !== parts.length ||
    !position.every((part, i) => typeof part === 'string' && parts[i](part))
  ) {
    throw validationFailed([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
  }
  return position as string[];
}

/** SQL printing a timestamptz column exactly (microseconds, UTC) for a cursor's position. */
export const cursorTimestampSql = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * One page of a keyset listing whose query fetched `limit + 1` rows: the first `limit` rows, and
 * the cursor at the last of them when the extra row shows there is more.
 */
export function keysetPage<T>(
  rows: T[],
  limit: number,
  position: (last: T) => string[],
): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    page,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(...position(last)) : null,
  };
}
