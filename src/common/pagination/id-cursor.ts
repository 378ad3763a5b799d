import { validationFailed } from '../errors/app-error.js';
import { isUuid } from '../validation/uuid.js';

/**
 * Opaque keyset cursor carrying the id of the last row of a page; the list query looks that row's
 * position up again (owner-scoped), so a cursor reveals nothing and cannot reach another's rows.
 */
export function encodeIdCursor(id: string): string {
  return Buffer.from(`v1:${id}`, 'utf8').toString('base64url');
}

export function decodeIdCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith('v1:') ? text.slice(3) : '';
  if (!isUuid(id))
    throw validationFailed([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
  return id;
}
