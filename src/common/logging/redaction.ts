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
  'flutterwave-signature',
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
  // Not `code`: it would hide error codes (AppError, pg, ioredis). OAuth codes arrive in the
  // query string, which redactUrl covers.
  'code_verifier',
  'id_token',
];

const SECRET_QUERY = new Set([
  'code',
  'state',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code_verifier',
  'client_secret',
  'api_key',
  'key',
]);

function decodeParamName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** pino `redact` paths: headers of logged requests/responses plus secret keys up to two levels down. */
export function redactPaths(): string[] {
  const headerPaths = SECRET_HEADERS.flatMap((name) => [
    `req.headers["${name}"]`,
    `res.headers["${name}"]`,
  ]);
  const keyPaths = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
  return [...headerPaths, ...keyPaths];
}

/**
 * Replaces the values of secret-bearing query parameters in a URL, leaving everything else as
 * sent. The marker is written literally (not percent-encoded) so it reads, and greps, as itself.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      return SECRET_QUERY.has(decodeParamName(name).toLowerCase()) ? `${name}=${REDACTED}` : part;
    })
    .join('&');
  return `${url.slice(0, q)}?${redacted}${hash < 0 ? '' : url.slice(hash)}`;
}
