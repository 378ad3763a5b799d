export const REDACTED = '[REDACTED]';

/** Header names whose values are credentials or signatures; never logged. */
export const SECRET_HEADERS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'idempotency-key',
  'x-paystack-signature',
  'verif-hash',
  'stripe-signature',
  'webhook-signature',
  'paypal-transmission-sig',
  'paypal-cert-url',
];

/** Object keys whose values are secrets wherever they appear in a logged object. */
export const SECRET_KEYS = [
  'password',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'accessToken',
  'refreshToken',
  'api_key',
  'apiKey',
  'secret_key',
  'secretKey',
  'client_secret',
  'authorization',
  'signature',
  'code',
];

const SECRET_QUERY = new Set(['code', 'state', 'token', 'access_token', 'refresh_token', 'api_key', 'key']);

/** pino `redact` paths: headers of logged requests/responses plus secret keys up to two levels down. */
export function redactPaths(): string[] {
  const headerPaths = SECRET_HEADERS.flatMap((name) => [
    `req.headers["${name}"]`,
    `res.headers["${name}"]`,
  ]);
  const keyPaths = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
  return [...headerPaths, ...keyPaths];
}

/** Replaces the values of secret-bearing query parameters in a request URL. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const name of Array.from(params.keys())) {
    if (SECRET_QUERY.has(name.toLowerCase())) {
      params.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}
