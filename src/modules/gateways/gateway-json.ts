/**
 * Reading a gateway's JSON without trusting its shape: the small guards every mapper uses, so a
 * field that is missing, null or of another type reads as `undefined` the same way everywhere.
 */
export type Json = Record<string, unknown>;

/** A plain object (not null, not an array). */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
