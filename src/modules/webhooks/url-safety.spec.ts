import {
  checkWebhookUrl,
  forbiddenAddressReason,
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
    ['169.254.169.254', 'link-local / cloud metadata'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'this network'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved / broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'unique local'],
    ['fc12:3456::1', 'unique local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local / cloud metadata'],
  ])('refuses %s (%s)', (address, label) => {
    expect(forbiddenAddressReason(address)).toBe(label);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111'])(
    'allows public %s',
    (address) => {
      expect(forbiddenAddressReason(address)).toBeNull();
    },
  );

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
    ['https://internal.example/hook', /10\.0\.0\.5, a private address/],
    ['https://mixed.example/hook', /127\.0\.0\.1, a loopback address/],
    ['http://169.254.169.254/latest/meta-data', /cloud metadata/],
    ['http://[::1]:8080/hook', /loopback/],
    ['https://nowhere.example/hook', /does not resolve/],
    ['ftp://public.example/hook', /only http and https/],
    ['file:///etc/passwd', /only http and https/],
  ])('refuses %s', async (url, message) => {
    const check = checkWebhookUrl(url, resolver, false);
    await expect(check).rejects.toBeInstanceOf(WebhookUrlNotAllowedError);
    await expect(check).rejects.toThrow(message);
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
