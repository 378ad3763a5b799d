import { ValidateBy, type ValidationOptions } from 'class-validator';

/** SPEC §6: at most 50 keys, each key at most 40 characters, each value a string of at most 500. */
export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_KEY_LENGTH = 40;
export const METADATA_MAX_VALUE_LENGTH = 500;

/** The first way `value` breaks the metadata limits, phrased to follow the field name; null if none. */
export function metadataProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be an object of string values';
  const entries = Object.entries(value);
  if (entries.length > METADATA_MAX_KEYS)
    return `may hold at most ${METADATA_MAX_KEYS} keys (it has ${entries.length})`;
  for (const [key, item] of entries) {
    if (key.length === 0 || key.length > METADATA_MAX_KEY_LENGTH)
      return `keys must be 1 to ${METADATA_MAX_KEY_LENGTH} characters long (one is ${key.length})`;
    if (typeof item !== 'string')
      return `values must be strings (${key} is ${item === null ? 'null' : typeof item})`;
    if (item.length > METADATA_MAX_VALUE_LENGTH)
      return `values must be at most ${METADATA_MAX_VALUE_LENGTH} characters long (${key} is ${item.length})`;
  }
  return null;
}

/**
 * Free-form `metadata` kept with a record and shown back in lists and events, so it is bounded:
 * a flat object of short string values (SPEC §6).
 */
export function IsMetadata(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMetadata',
      validator: {
        validate: (value: unknown) => metadataProblem(value) === null,
        defaultMessage: (args) =>
          `${args?.property ?? 'metadata'} ${metadataProblem(args?.value) ?? 'is invalid'}`,
      },
    },
    options,
  );
}

/** The OpenAPI schema of a `metadata` field, from the same limits `IsMetadata` enforces. */
export const METADATA_API_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'string', maxLength: METADATA_MAX_VALUE_LENGTH },
  maxProperties: METADATA_MAX_KEYS,
} as const;
