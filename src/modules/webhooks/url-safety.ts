import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Injectable } from '@nestjs/common';

/**
 * Address ranges a webhook may never reach unless WEBHOOK_ALLOW_PRIVATE_URLS=true: the host
 * itself, private networks, link-local (which holds cloud metadata at 169.254.169.254), CGNAT,
 * documentation/benchmark/reserved ranges and multicast. Node's BlockList also matches
 * IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) against the IPv4 rules.
 */
const FORBIDDEN_SUBNETS: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'this network'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local / cloud metadata'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.88.99.0', 24, 'ipv4', '6to4 relay'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved / broadcast'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['64:ff9b::', 96, 'ipv6', 'NAT64 (may reach private IPv4)'],
  ['64:ff9b:1::', 48, 'ipv6', 'local NAT64'],
  ['100::', 64, 'ipv6', 'discard'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['2002::', 16, 'ipv6', '6to4 (may reach private IPv4)'],
  ['fc00::', 7, 'ipv6', 'unique local'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'site-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const blockLists = FORBIDDEN_SUBNETS.map(([network, prefix, type, label]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { list, label };
});

/** Why an IP literal may not be reached, or null when it is a public address. */
export function forbiddenAddressReason(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const { list, label } of blockLists) {
    if (list.check(address, type)) return label;
  }
  return null;
}

export class WebhookUrlNotAllowedError extends Error {
  readonly code = 'WEBHOOK_URL_NOT_ALLOWED';
}

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
        `${hostname} does not resolve (${(error as Error).message})`,
      );
    }
    if (addresses.length === 0) throw new WebhookUrlNotAllowedError(`${hostname} does not resolve`);
  }
  if (allowPrivate) return addresses;
  for (const { address } of addresses) {
    const reason = forbiddenAddressReason(address);
    if (reason !== null) {
      throw new WebhookUrlNotAllowedError(
        `${hostname} resolves to ${address}, a ${reason} address`,
      );
    }
  }
  return addresses;
}
