import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  rawBody: string;
}

export interface FakeResponse {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (HTML pages of the sandbox checkout), instead of `body`. */
  text?: string;
  headers?: Record<string, string>;
}

type Fault =
  | { kind: 'status'; status: number; remaining: number; match?: (req: RecordedRequest) => boolean }
  | { kind: 'hang'; ms: number; remaining: number; match?: (req: RecordedRequest) => boolean }
  | {
      kind: 'lose-reply';
      ms: number;
      remaining: number;
      match?: (req: RecordedRequest) => boolean;
    };

/**
 * The plumbing every fake gateway shares: a node:http server on 127.0.0.1 (ephemeral port), a log
 * of the calls it received, and faults a test can inject — answer with an error status, hang past
 * the client's timeout, or stop accepting connections entirely (and come back on the same port).
 * Each fake supplies the provider's own routes and error envelope.
 */
export class FakeGatewayServer {
  readonly calls: RecordedRequest[] = [];
  private server: Server | undefined;
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly hung = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private faults: Fault[] = [];

  constructor(
    private readonly route: (req: RecordedRequest) => FakeResponse | Promise<FakeResponse>,
    /** The provider's error body for an injected failure status. */
    private readonly errorBody: (status: number) => unknown,
  ) {}

  get url(): string {
    if (!this.port) throw new Error('fake gateway is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens on `port` (0: an ephemeral one, as tests use; fixed ports for the sandbox). */
  async start(port = 0): Promise<this> {
    await this.listen(port);
    return this;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    await this.closeListener();
  }

  /** Connection refused from now on (the port stays reserved for acceptConnections). */
  async refuseConnections(): Promise<void> {
    await this.closeListener();
  }

  async acceptConnections(): Promise<void> {
    if (this.server) return;
    await this.listen(this.port);
  }

  /** The next `times` matching requests answer `status` with the provider's error body. */
  failNext(status = 500, times = 1, match?: (req: RecordedRequest) => boolean): void {
    this.faults.push({ kind: 'status', status, remaining: times, match });
  }

  /** The next `times` matching requests get no answer for `ms` (past the client's timeout), then a 504. */
  hangNext(ms: number, times = 1, match?: (req: RecordedRequest) => boolean): void {
    this.faults.push({ kind: 'hang', ms, remaining: times, match });
  }

  /**
   * The next `times` matching requests are carried out (the gateway changes what they ask), but
   * their answer is held for `ms` (past the client's timeout): a reply lost after the change.
   */
  loseReplyNext(ms: number, times = 1, match?: (req: RecordedRequest) => boolean): void {
    this.faults.push({ kind: 'lose-reply', ms, remaining: times, match });
  }

  clearFaults(): void {
    this.faults = [];
  }

  count(method: string, pathPattern: RegExp): number {
    return this.calls.filter((call) => call.method === method && pathPattern.test(call.path))
      .length;
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private async closeListener(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers,
      rawBody: Buffer.concat(chunks).toString('utf8'),
    };
    this.calls.push(recorded);

    const fault = this.faults.find(
      (candidate) => candidate.remaining > 0 && (!candidate.match || candidate.match(recorded)),
    );
    if (fault) {
      fault.remaining -= 1;
      this.faults = this.faults.filter((candidate) => candidate.remaining > 0);
      if (fault.kind === 'status') {
        send(res, { status: fault.status, body: this.errorBody(fault.status) });
        return;
      }
      const carriedOut = fault.kind === 'lose-reply' ? await this.route(recorded) : undefined;
      this.hung.add(res);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.hung.delete(res);
        if (!res.destroyed) send(res, carriedOut ?? { status: 504, body: this.errorBody(504) });
      }, fault.ms);
      this.timers.add(timer);
      return;
    }

    try {
      send(res, await this.route(recorded));
    } catch (error) {
      send(res, {
        status: 500,
        body: { fake_error: error instanceof Error ? error.message : String(error) },
      });
    }
  }
}

function send(res: ServerResponse, response: FakeResponse): void {
  if (response.text !== undefined) {
    res.writeHead(response.status, {
      'content-type': 'text/html; charset=utf-8',
      ...response.headers,
    });
    res.end(response.text);
    return;
  }
  const body = response.body === undefined ? '' : JSON.stringify(response.body);
  res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
  res.end(body);
}

/** A bare hosted-checkout page for the sandbox: a summary and one form button per outcome. */
export function checkoutPage(
  title: string,
  summary: string,
  actions: { label: string; action: string }[],
): FakeResponse {
  const escape = (text: string) =>
    text.replace(
      /[&<>"]/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
    );
  const buttons = actions
    .map(
      ({ label, action }) =>
        `<form method="post" action="${escape(action)}"><button>${escape(label)}</button></form>`,
    )
    .join('');
  return {
    status: 200,
    text: `<!doctype html><title>${escape(title)}</title><h1>${escape(title)}</h1><p>${escape(summary)}</p>${buttons}`,
  };
}

export function redirect(location: string): FakeResponse {
  return { status: 303, headers: { location }, text: '' };
}

/** Provider-looking ids: a prefix and random upper-case hex. */
export function fakeId(prefix: string, length = 17): string {
  return `${prefix}${randomBytes(length).toString('hex').toUpperCase().slice(0, length)}`;
}

/** POSTs a webhook body to our app exactly as a provider would, returning status and body. */
export async function postWebhook(
  url: string,
  rawBody: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: rawBody,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON; keep the text
  }
  return { status: response.status, body };
}
