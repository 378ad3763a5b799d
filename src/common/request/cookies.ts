/**
 * The raw value of cookie `name` in a `Cookie` request header (the first one), or undefined.
 * Callers check or decode it: a cookie is whatever the client sent.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index < 0 || part.slice(0, index).trim() !== name) continue;
    return part.slice(index + 1).trim();
  }
  return undefined;
}

/** A cookie value the service itself set: bounded base64url. */
export const isTokenCookie = (value: string | undefined): value is string =>
  value !== undefined && /^[A-Za-z0-9_-]{1,200}$/.test(value);
