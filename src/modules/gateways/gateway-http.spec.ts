import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GatewayRequestError, GatewayUnavailableError } from './gateway.errors.js';
import { GatewayHttpClient } from './gateway-http.js';

/** A gateway on loopback that can drop every connection it holds, as a restart or an idle timeout does. */
class Gateway {
  server?: Server;
  port = 0;
  readonly sockets = new Set<Socket>();
  readonly requests: { method: string; path: string; socket: Socket }[] = [];
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":true}');
  };

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', socket: req.socket });
        this.handler(req, res);
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Closes every connection (pooled ones included) and stops listening. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

describe('GatewayHttpClient', () => {
  const gateway = new Gateway();
  let client: GatewayHttpClient;

  beforeAll(async () => {
    await gateway.listen();
    client = new GatewayHttpClient('paystack', `http://127.0.0.1:${gateway.port}`, 300);
  });

  afterEach(async () => {
    gateway.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":true}');
    };
    if (!gateway.server) await gateway.listen();
    gateway.requests.length = 0;
  });

  afterAll(async () => {
    await gateway.stop();
  });

  /** undici hands a connection back to its pool once the turn that read the response is over. */
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('reuses one connection for consecutive GETs', async () => {
    await client.request({ method: 'GET', path: '/transaction/verify/A' });
    await nextTurn();
    await client.request({ method: 'GET', path: '/transaction/verify/B' });
    expect(gateway.requests.map((r) => r.path)).toEqual([
      '/transaction/verify/A',
      '/transaction/verify/B',
    ]);
    expect(gateway.requests[1].socket).toBe(gateway.requests[0].socket);
  });

  it('answers a GET after the gateway dropped its pooled connections, by asking once more on a new one', async () => {
    await client.request({ method: 'GET', path: '/warm' });
    await gateway.stop();
    await gateway.listen();
    gateway.requests.length = 0;

    const answer = await client.request<{ status: boolean }>({ method: 'GET', path: '/again' });

    expect(answer).toEqual({ status: 200, body: { status: true } });
    expect(gateway.requests.map((r) => r.path)).toEqual(['/again']);
  });

  it('sends a GET once more when the gateway closes a pooled connection as it arrives', async () => {
    let closed = false;
    gateway.handler = (req, res) => {
      // A server closing an idle connection just as our request reaches it.
      if (req.url === '/second' && !closed) {
        closed = true;
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":true}');
    };
    await client.request({ method: 'GET', path: '/first' });
    await nextTurn();
    const answer = await client.request<{ status: boolean }>({ method: 'GET', path: '/second' });
    expect(answer).toEqual({ status: 200, body: { status: true } });
    expect(gateway.requests.map((r) => r.path)).toEqual(['/first', '/second', '/second']);
  });

  it('reports a refused connection as unavailable, naming ECONNREFUSED', async () => {
    await client.request({ method: 'GET', path: '/warm' });
    await gateway.stop();
    await expect(client.request({ method: 'GET', path: '/down' })).rejects.toThrow(
      GatewayUnavailableError,
    );
    await expect(client.request({ method: 'GET', path: '/down' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('gives up on a gateway that does not answer within the timeout', async () => {
    gateway.handler = () => undefined;
    await expect(client.request({ method: 'GET', path: '/hang' })).rejects.toThrow(
      /timed out after 300 ms/,
    );
    await expect(client.request({ method: 'POST', path: '/hang', json: {} })).rejects.toThrow(
      /timed out after 300 ms/,
    );
  });

  it('gives up on a response cut off in the middle of its body', async () => {
    gateway.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"status":');
      setTimeout(() => res.destroy(), 20);
    };
    await expect(client.request({ method: 'GET', path: '/cut' })).rejects.toThrow(
      GatewayUnavailableError,
    );
  });

  it('sends a POST once even when its connection fails', async () => {
    gateway.handler = (req) => req.socket.destroy();
    await expect(client.request({ method: 'POST', path: '/refund', json: {} })).rejects.toThrow(
      GatewayUnavailableError,
    );
    expect(gateway.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /refund']);
  });

  it('sorts answers: 5xx and 429 unavailable, other 4xx refused, accepted statuses returned', async () => {
    const answer = (status: number) => (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"status":false,"message":"no"}');
    };
    gateway.handler = answer(503);
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow(
      GatewayUnavailableError,
    );
    gateway.handler = answer(429);
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow(
      GatewayUnavailableError,
    );
    gateway.handler = answer(401);
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow(
      GatewayRequestError,
    );
    gateway.handler = answer(404);
    await expect(client.request({ method: 'GET', path: '/x' }, [404])).resolves.toEqual({
      status: 404,
      body: { status: false, message: 'no' },
    });
  });
});
