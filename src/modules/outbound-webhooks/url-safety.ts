import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';

/**
 * An address is reachable only when ipaddr.js (the parser Express's proxy-addr is built on) files
 * it under `unicast`: every special range it knows (loopback, private, link-local with the cloud
 * metadata address, CGNAT, unique-local, multicast, documentation, benchmarking, reserved,
 * discard, …) is refused. IPv6 forms that carry an IPv4 address are judged by that address
 * (SPEC §9), whatever the IPv6 prefix: IPv4-mapped `::ffff:a.b.c.d`, SIIT `::ffff:0:a.b.c.d`,
 * IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::` and Teredo
 * (server and de-obfuscated client). Local-use NAT64 (`64:ff9b:1::/48`) embeds at a prefix length
 * we cannot know, so it is refused whole.
 */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4[] {
  const p = address.parts;
  const v4 = (high: number, low: number): ipaddr.IPv4 =>
    new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const range = address.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145') return [v4(p[6], p[7])];
  // 64:ff9b::/96 embeds in the last 32 bits; 64:ff9b:1::/48 is refused by its own range.
  if (range === 'rfc6052') return p[2] === 0 ? [v4(p[6], p[7])] : [];
  if (range === '6to4') return [v4(p[1], p[2])];
  if (range === 'teredo') return [v4(p[2], p[3]), v4(p[6] ^ 0xffff, p[7] ^ 0xffff)];
  // IPv4-compatible (::/96, deprecated), beside :: and ::1 which keep their own ranges.
  return p.slice(0, 6).every((part) => part === 0) && (p[6] !== 0 || p[7] > 1)
    ? [v4(p[6], p[7])]
    : [];
}

/** Why an IP literal may not be reached (ipaddr.js's range name), or null when it is public. */
export function forbiddenAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') {
    const range = parsed.range();
    return range === 'unicast' ? null : range;
  }
  const v6 = parsed as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded.length > 0) {
    for (const v4 of embedded) {
      const range = v4.range();
      if (range !== 'unicast') return `${range} (IPv4 in ${v6.range()} IPv6)`;
    }
    // The forms that only carry IPv4 are judged by it alone; NAT64/6to4/Teredo reach it anyway.
    return null;
  }
  const range = v6.range();
  return range === 'unicast' ? null : range;
}

/**
 * `message` is what the caller sees: it never says what a name resolves to, or whether it
 * resolves at all, so the check cannot be used to map internal DNS or networks (SPEC §9).
 * `detail` says why, for the operator's log only.
 */
export class WebhookUrlNotAllowedError extends Error {
  readonly code = 'WEBHOOK_URL_NOT_ALLOWED';

  constructor(
    message: string,
    readonly detail: string = message,
  ) {
    super(message);
  }
}

/** The one public answer for a host refused for what it is or resolves to. */
export const HOST_NOT_ALLOWED = "the URL's host is not allowed";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** DNS in one replaceable place: tests swap it to play out a record changing under us. */
@Injectable()
export class WebhookDnsResolver {
  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const records = await dnsLookup(hostname, { all: true, verbatim: true });
    return records.map((record) => ({
      address: record.address,
      family: record.family === 6 ? 6 : 4,
    }));
  }
}

/** `[::1]` in a URL is `::1` to the resolver. */
export function bareHostname(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * Resolves a URL's host and checks every address it resolves to; throws WebhookUrlNotAllowedError
 * when the scheme is not http(s), the host does not resolve, or any address is forbidden (a host
 * with one public and one private record is refused: the connection could land on either).
 * Returns the checked addresses so the caller can connect to exactly those.
 */
export async function checkWebhookUrl(
  rawUrl: string,
  resolver: WebhookDnsResolver,
  allowPrivate: boolean,
): Promise<ResolvedAddress[]> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new WebhookUrlNotAllowedError('the URL cannot be parsed');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookUrlNotAllowedError(
      `only http and https URLs are allowed, not ${url.protocol}`,
    );
  }
  return checkHost(bareHostname(url.hostname), resolver, allowPrivate);
}

export async function checkHost(
  hostname: string,
  resolver: WebhookDnsResolver,
  allowPrivate: boolean,
): Promise<ResolvedAddress[]> {
  const literal = isIP(hostname);
  let addresses: ResolvedAddress[];
  if (literal !== 0) {
    addresses = [{ address: hostname, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolver.resolve(hostname);
    } catch (error) {
      throw new WebhookUrlNotAllowedError(
        HOST_NOT_ALLOWED,
        `${hostname} does not resolve (${(error as Error).message})`,
      );
    }
    if (addresses.length === 0)
      throw new WebhookUrlNotAllowedError(HOST_NOT_ALLOWED, `${hostname} does not resolve`);
  }
  if (allowPrivate) return addresses;
  for (const { address } of addresses) {
    const reason = forbiddenAddressReason(address);
    if (reason !== null) {
      throw new WebhookUrlNotAllowedError(
        HOST_NOT_ALLOWED,
        `${hostname} resolves to ${address}, a ${reason} address`,
      );
    }
  }
  return addresses;
}
