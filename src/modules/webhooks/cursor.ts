import { validationFailed } from '../../common/errors/app-error.js';

/**
 * Opaque keyset cursor: the exact (microsecond) `created_at` text and the id of the last row of a
 * page. The timestamp travels as Postgres printed it, so no precision is lost through a JS Date.
 */
export function encodeCursor(createdAtText: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAtText, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string' &&
      !Number.isNaN(Date.parse(parsed[0]))
    ) {
      return [parsed[0], parsed[1]];
    }
  } catch {
    // fall through to the validation error
  }
  throw validationFailed([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
}

/** SQL expression printing a timestamptz column exactly, for encodeCursor. */
export const cursorText = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
