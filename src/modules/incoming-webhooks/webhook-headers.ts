/** Header names that carry secrets or proofs we must not keep (signatures count: they are replayable). */
const SENSITIVE =
  /(authorization|cookie|signature|secret|token|api-key|apikey|verif-hash|password|transmission-sig|cert)/i;

/** Lower-cased single-valued headers with anything sensitive left out. */
export function headersWithoutSecrets(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SENSITIVE.test(name)) continue;
    kept[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/** Flattens Node's header object to single strings, as adapters expect. */
export function singleValued(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    flat[name.toLowerCase()] = Array.isArray(value) ? value[0] : value;
  return flat;
}
