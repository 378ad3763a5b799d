import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  /** 1 for the first request this receiver got. */
  seq: number;
  path: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: Date;
}

export interface ReceiverReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Keep the request open (never answer) until the receiver closes. */
  hold?: boolean;
}

export type Responder = (request: ReceivedWebhook) => ReceiverReply | Promise<ReceiverReply>;

/**
 * A webhook receiver on loopback, the way an integrator would write one: it keeps every request
 * it got and answers through a replaceable responder. `verify` checks a request with the
 * `standardwebhooks` library, as receivers are told to.
 */
export class WebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  private responder: Responder = () => ({ status: 200, body: 'ok' });
  private readonly held = new Set<ServerResponse>();
  private readonly waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  private server: Server | undefined;
  private seq = 0;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** Requests for one webhook-id (one event), in arrival order. */
  forEvent(eventId: string): ReceivedWebhook[] {
    return this.requests.filter((request) => request.headers['webhook-id'] === eventId);
  }

  /** Resolves once `predicate` holds, checked on every request; rejects after `timeoutMs`. */
  async waitFor(
    predicate: () => boolean,
    timeoutMs = 20_000,
    what = 'the expected webhooks',
  ): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.findIndex((waiter) => waiter.resolve === done);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; got ${this.requests.length} request(s)`,
          ),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ predicate, resolve: done });
    });
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    const request: ReceivedWebhook = {
      seq: ++this.seq,
      path: req.url ?? '/',
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      receivedAt: new Date(),
    };
    this.requests.push(request);
    let reply: ReceiverReply;
    try {
      reply = await this.responder(request);
    } catch {
      reply = { status: 500, body: 'responder failed' };
    }
    if (reply.hold) {
      this.held.add(res);
    } else {
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    }
    const ready = this.waiters.filter((waiter) => waiter.predicate());
    for (const waiter of ready) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

/** Verifies one received request with the standardwebhooks library; returns the parsed body or throws. */
export function verifyWebhook(secret: string, request: ReceivedWebhook): unknown {
  return new Webhook(secret).verify(request.body, request.headers);
}

/** Whether `secret` verifies `request` (false instead of an exception). */
export function verifiesWith(secret: string, request: ReceivedWebhook): boolean {
  try {
    verifyWebhook(secret, request);
    return true;
  } catch {
    return false;
  }
}
