import {
  checkWebhookUrl,
  forbiddenAddressReason,
  HOST_NOT_ALLOWED,
  type ResolvedAddress,
  WebhookDnsResolver,
  WebhookUrlNotAllowedError,
} from './url-safety.js';

class FixedResolver extends WebhookDnsResolver {
  constructor(private readonly answers: Record<string, ResolvedAddress[]>) {
    super();
  }

  override async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const answer = this.answers[hostname];
    if (!answer) throw new Error('ENOTFOUND');
    return answer;
  }
}

describe('webhook URL safety', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['fc12:3456::1', 'uniqueLocal'],
    ['2001:db8::1', 'reserved'],
    ['64:ff9b:1::a00:1', 'rfc6052'],
  ])('refuses %s (%s)', (address, label) => {
    expect(forbiddenAddressReason(address)).toBe(label);
  });

  // Each embeds 127.0.0.1, 10.0.0.1 or 169.254.169.254 in another IPv6 form.
  it.each([
    ['::ffff:127.0.0.1', 'IPv4-mapped', 'loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped, hex', 'loopback'],
    ['::ffff:169.254.169.254', 'IPv4-mapped', 'linkLocal'],
    ['::127.0.0.1', 'IPv4-compatible', 'loopback'],
    ['::7f00:1', 'IPv4-compatible, hex', 'loopback'],
    ['::a00:1', 'IPv4-compatible', 'private'],
    ['::ffff:0:7f00:1', 'SIIT (IPv4-translated)', 'loopback'],
    ['::ffff:0:a9fe:a9fe', 'SIIT (IPv4-translated)', 'linkLocal'],
    ['64:ff9b::7f00:1', 'NAT64', 'loopback'],
    ['64:ff9b::169.254.169.254', 'NAT64', 'linkLocal'],
    ['2002:7f00:1::', '6to4', 'loopback'],
    ['2002:a00:1:1::1', '6to4', 'private'],
    ['2001::7f00:1', 'Teredo (server 0.0.0.0)', 'unspecified'],
    ['2001:0:808:808::80ff:fffe', 'Teredo (client 127.0.0.1)', 'loopback'],
    ['2001:0:a00:1:0:0:f7f7:f7f7', 'Teredo (server 10.0.0.1)', 'private'],
  ])('refuses %s (%s) for the IPv4 it embeds', (address, _form, label) => {
    expect(forbiddenAddressReason(address)).toMatch(new RegExp(`^${label} \\(IPv4 in `));
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
    '2001:0:808:808:0:0:f7f7:f7f7',
  ])('allows public %s', (address) => {
    expect(forbiddenAddressReason(address)).toBeNull();
  });

  const resolver = new FixedResolver({
    'public.example': [{ address: '93.184.216.34', family: 4 }],
    'internal.example': [{ address: '10.0.0.5', family: 4 }],
    'mixed.example': [
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ],
  });

  it('accepts a URL whose host resolves only to public addresses', async () => {
    await expect(checkWebhookUrl('https://public.example/hook', resolver, false)).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
    ]);
  });

  it.each([
    [
      'https://internal.example/hook',
      /internal\.example resolves to 10\.0\.0\.5, a private address/,
    ],
    ['https://mixed.example/hook', /127\.0\.0\.1, a loopback address/],
    ['http://169.254.169.254/latest/meta-data', /linkLocal/],
    ['http://[::1]:8080/hook', /loopback/],
    ['http://[::127.0.0.1]/hook', /loopback \(IPv4 in /],
    ['http://[::ffff:0:7f00:1]/hook', /loopback \(IPv4 in /],
    ['http://[2001::7f00:1]/hook', /unspecified \(IPv4 in teredo/],
    ['http://[64:ff9b::a9fe:a9fe]/hook', /linkLocal \(IPv4 in rfc6052/],
    ['http://[2002:7f00:1::]/hook', /loopback \(IPv4 in 6to4/],
    ['https://nowhere.example/hook', /does not resolve/],
  ])('refuses %s, telling the caller only that the host is not allowed', async (url, detail) => {
    const error = await checkWebhookUrl(url, resolver, false).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WebhookUrlNotAllowedError);
    // The caller learns nothing of what the name resolves to, or whether it resolves at all.
    expect((error as WebhookUrlNotAllowedError).message).toBe(HOST_NOT_ALLOWED);
    expect((error as WebhookUrlNotAllowedError).detail).toMatch(detail);
  });

  it.each([
    ['ftp://public.example/hook', /only http and https/],
    ['file:///etc/passwd', /only http and https/],
  ])('refuses %s for its scheme', async (url, message) => {
    await expect(checkWebhookUrl(url, resolver, false)).rejects.toThrow(message);
  });

  it('lets private addresses through only when private URLs are allowed, never other schemes', async () => {
    await expect(
      checkWebhookUrl('http://internal.example/hook', resolver, true),
    ).resolves.toHaveLength(1);
    await expect(checkWebhookUrl('gopher://internal.example/hook', resolver, true)).rejects.toThrow(
      /only http/,
    );
  });
});
