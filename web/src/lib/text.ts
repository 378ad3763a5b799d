/**
 * Some DTOs declare nullable strings without `type: String`, so the OpenAPI document (and the
 * generated types) leave them untyped (`{}`). This reads such a field as what the API sends: a
 * string or null.
 */
export function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
