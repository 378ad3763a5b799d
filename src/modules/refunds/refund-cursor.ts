import { validationFailed } from '../../common/errors/app-error.js';

export function pageLimit(limit: string | undefined): number | undefined {
  if (limit === undefined) return undefined;
  const value = /^\d{1,3}$/.test(limit) ? Number(limit) : Number.NaN;
  if (!(value >= 1 && value <= 100))
    throw validationFailed([
      { field: 'limit', message: 'limit must be a whole number from 1 to 100' },
    ]);
  return value;
}
