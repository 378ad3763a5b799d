import type { IncomingMessage } from 'node:http';
import { DEFAULT_IPV6_SUBNET_PREFIX, normalizeIp } from '@nestjs/throttler';
import proxyaddr from 'proxy-addr';

/** Express's `trust proxy`: X-Forwarded-For is believed only when a proxy on loopback sent it. */
export const TRUSTED_PROXIES = 'loopback';
const trusted = proxyaddr.compile(TRUSTED_PROXIES);

/**
 * The client's address as rate limits count it: what Express's `req.ip` says (the lean webhook
 * route, which Express never sees, works it out the same way with Express's own proxy-addr), an
 * IPv6 address reduced to its /64 as @nestjs/throttler does, since one host usually holds a /64.
 */
export function clientIp(req: IncomingMessage & { ip?: string }): string {
  const ip = req.ip ?? (req.socket.remoteAddress ? proxyaddr(req, trusted) : undefined);
  return ip ? normalizeIp(ip, DEFAULT_IPV6_SUBNET_PREFIX) : 'unknown';
}
