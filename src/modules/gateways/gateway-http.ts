import http from 'node:http';
import https from 'node:https';
import { GatewayRequestError, GatewayUnavailableError } from './gateway.errors.js';

export interface GatewayHttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless `form` is set. */
  json?: unknown;
  form?: Record<string, string>;
}

export interface GatewayHttpResponse<T> {
  status: number;
  body: T;
}

interface RawResponse {
  status: number;
  text: string;
}

/** Why a request got no answer: `timeout`, or what the network said (`ECONNREFUSED`, …). */
class NoAnswer extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

// Keep-alive pools shared by every adapter, for GETs (see GatewayHttpClient.get).
const agents = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
};

/**
 * Minimal JSON-over-HTTP client for gateway adapters: a hard timeout, transient failures
 * (network errors, timeouts, 5xx, 429) as GatewayUnavailableError so jobs retry, other non-2xx
 * as GatewayRequestError unless the caller accepts that status (e.g. 404 "not found").
 */
export class GatewayHttpClient {
  constructor(
    private readonly gateway: string,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async request<T>(
    req: GatewayHttpRequest,
    acceptStatuses: number[] = [],
  ): Promise<GatewayHttpResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    let body: string | undefined;
    if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    } else if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    }
    const url = `${this.baseUrl}${req.path}`;
    let response: RawResponse;
    try {
      response =
        req.method === 'GET' && body === undefined
          ? await this.get(url, headers)
          : await this.fetch(req.method, url, headers, body);
    } catch (error) {
      throw new GatewayUnavailableError(
        this.gateway,
        error instanceof NoAnswer ? error.reason : String(error),
      );
    }
    const text = response.text;
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : {};
    } catch {
      // keep the text: an HTML error page from a proxy is still worth the message
    }
    if (
      (response.status >= 200 && response.status < 300) ||
      acceptStatuses.includes(response.status)
    ) {
      return { status: response.status, body: parsed as T };
    }
    const message = `${req.method} ${req.path} answered ${response.status}: ${text.slice(0, 300)}`;
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new GatewayUnavailableError(this.gateway, message);
    }
    throw new GatewayRequestError(this.gateway, response.status, message);
  }

  /**
   * Requests that change something at the gateway, through fetch: one attempt, whatever happens
   * to the connection (a refund at a gateway without idempotency keys must never be sent twice
   * by us; see RefundExecutionService).
   */
  private async fetch(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<RawResponse> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // By name, not instanceof: fetch's errors come from Node's own realm.
      throw new NoAnswer(
        (error as { name?: unknown } | null)?.name === 'TimeoutError'
          ? `timed out after ${this.timeoutMs} ms`
          : describe(error),
      );
    }
    return { status: response.status, text: await response.text().catch(() => '') };
  }

  /**
   * GETs (the settlement path's verify call, one per webhook) through node:http on a keep-alive
   * pool: a warm connection instead of a TCP (and TLS) handshake each time, at a fraction of
   * fetch's CPU per request. The timeout bounds the whole exchange (connect, send, read the body).
   * A pooled connection that the gateway closed while idle fails at once with ECONNRESET and no
   * answer: a GET changes nothing, so it is sent again, once, on a new connection.
   */
  private get(url: string, headers: Record<string, string>): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      let done = false;
      let current: http.ClientRequest | undefined;
      const finish = (error: Error | null, response?: RawResponse): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(response as RawResponse);
      };
      const attempt = (pooled: boolean): void => {
        let answered = false;
        let req: http.ClientRequest;
        try {
          const target = new URL(url);
          const secure = target.protocol === 'https:';
          const agent = pooled ? (secure ? agents.https : agents.http) : false;
          req = (secure ? https : http).request(
            target,
            { method: 'GET', headers, agent },
            (res) => {
              answered = true;
              const chunks: Buffer[] = [];
              res.on('data', (chunk: Buffer) => chunks.push(chunk));
              res.on('end', () =>
                finish(null, {
                  status: res.statusCode ?? 0,
                  text: Buffer.concat(chunks).toString('utf8'),
                }),
              );
              res.on('error', (error) => finish(new NoAnswer(describe(error))));
              res.on('close', () => {
                if (!res.complete) finish(new NoAnswer('the response was cut off'));
              });
            },
          );
        } catch (error) {
          finish(new NoAnswer(describe(error)));
          return;
        }
        current = req;
        req.on('error', (error: NodeJS.ErrnoException) => {
          if (!done && pooled && req.reusedSocket && !answered && error.code === 'ECONNRESET') {
            attempt(false);
            return;
          }
          finish(new NoAnswer(describe(error)));
        });
        req.end();
      };
      const timer = setTimeout(() => {
        finish(new NoAnswer(`timed out after ${this.timeoutMs} ms`));
        current?.destroy();
      }, this.timeoutMs);
      attempt(true);
    });
  }
}

/** The most telling part of a network error: fetch wraps it in `cause`, node:http sets `code`. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as NodeJS.ErrnoException).code ?? error.message;
  }
  return String(error);
}
