import { validationFailed } from '../../common/errors/app-error.js';
import { UUID_PATTERN } from './refund-sql.js';

/** Opaque keyset cursor: the id of the last refund of the page. */
export function encodeRefundCursor(id: string): string {
  return Buffer.from(`r1:${id}`, 'utf8').toString('base64url');
}

export function decodeRefundCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith('r1:') ? text.slice(3) : '';
  if (!UUID_PATTERN.test(id)) throw validationFailed([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
  return id;
}

export function pageLimit(limit: string | undefined): number | undefined {
  if (limit === undefined) return undefined;
  const value = Number(limit);
  if (value < 1 || value > 100) throw validationFailed([{ field: 'limit', message: 'limit must be a whole number from 1 to 100' }]);
  return value;
}
