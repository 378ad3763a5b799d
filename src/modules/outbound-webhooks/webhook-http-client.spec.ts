import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ResolvedAddress, WebhookDnsResolver } from './url-safety.js';
import { postWebhook, RESPONSE_EXCERPT_BYTES } from './webhook-http-client.js';

class MapResolver extends WebhookDnsResolver {
  calls = 0;
  constructor(private readonly answers: Record<string, ResolvedAddress[]>) {
    super();
  }

  override async resolve(hostname: string): Promise<ResolvedAddress[]> {
    this.calls++;
    const answer = this.answers[hostname];
    if (!answer) throw new Error(`ENOTFOUND ${hostname}`);
    return answer;
  }
}

describe('postWebhook', () => {
  let server: Server;
  let port: number;
  const seen: { host: string | undefined; path: string | undefined; body: string }[] = [];
  let handler: (req: IncomingMessage, res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({
          host: req.headers.host,
          path: req.url,
          body: Buffer.concat(chunks).toString(),
        });
        handler(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  const resolver = new MapResolver({ 'receiver.test': [{ address: '127.0.0.1', family: 4 }] });
  const post = (path: string, overrides: Partial<Parameters<typeof postWebhook>[0]> = {}) =>
    postWebhook({
      url: `http://receiver.test:${port}${path}`,
      body: '{"hello":"world"}',
      headers: { 'webhook-id': 'evt_1' },
      timeoutMs: 2_000,
      resolver,
      allowPrivate: true,
      ...overrides,
    });

  it('connects to the address the resolver checked, keeping the URL host in the Host header', async () => {
    handler = (_req, res) => res.writeHead(204).end();
    const result = await post('/in');
    expect(result).toMatchObject({ statusCode: 204, error: null, responseExcerpt: null });
    expect(seen).toEqual([
      { host: `receiver.test:${port}`, path: '/in', body: '{"hello":"world"}' },
    ]);
  });

  it('keeps only the first KiB of the response', async () => {
    handler = (_req, res) => res.writeHead(500).end('x'.repeat(5_000));
    const result = await post('/big');
    expect(result.statusCode).toBe(500);
    expect(result.responseExcerpt).toHaveLength(RESPONSE_EXCERPT_BYTES);
  });

  it('does not follow a redirect', async () => {
    handler = (_req, res) => res.writeHead(307, { location: '/elsewhere' }).end();
    const result = await post('/moved');
    expect(result.statusCode).toBe(307);
    expect(seen.map((s) => s.path)).toEqual(['/moved']);
  });

  it('gives up after the timeout when the receiver never answers', async () => {
    handler = () => undefined;
    const result = await post('/silent', { timeoutMs: 300 });
    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/timed out after 300 ms/);
  });

  it('refuses before connecting when the host resolves to a loopback address and private URLs are off', async () => {
    handler = (_req, res) => res.writeHead(200).end();
    const result = await post('/in', { allowPrivate: false });
    expect(result.statusCode).toBeNull();
    expect(result.error).toBe("WEBHOOK_URL_NOT_ALLOWED: the URL's host is not allowed");
    expect(seen).toHaveLength(0);
  });

  it('reports a connection error as an error, not a response', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await post('/x', { url: `http://receiver.test:${closedPort}/x` });
    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/ECONNREFUSED/);
  });
});
