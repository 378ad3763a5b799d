import { Agent } from 'undici';
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

/**
 * undici's Agent: a keep-alive connection pool per gateway origin, shared by every adapter, so a
 * call reuses a warm connection instead of a TCP (and TLS) handshake. An idle connection is kept
 * for the server's Keep-Alive hint, or 4 s without one (undici's default; gateways rarely keep
 * idle connections longer), and closed before the server would close it.
 */
const pool = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 });

/** Errors of a connection that failed before any answer: for a GET, worth one more try. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

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
    const url = new URL(`${this.baseUrl}${req.path}`);
    let response: RawResponse;
    try {
      response = await this.exchange(req.method, url, headers, body);
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
   * One request through the pool; the timeout bounds the whole exchange (connect, send, read the
   * body). A request that changes something is sent once, whatever happens to the connection (a
   * refund at a gateway without idempotency keys must never be sent twice by us; see
   * RefundExecutionService). A GET whose connection was lost before any answer (a pooled
   * connection the gateway closed as we sent) changes nothing, so it is sent again, once.
   */
  private async exchange(
    method: GatewayHttpRequest['method'],
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<RawResponse> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    for (let attempt = 1; ; attempt++) {
      let answer: Awaited<ReturnType<Agent['request']>>;
      try {
        answer = await pool.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method,
          headers,
          body,
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw new NoAnswer(`timed out after ${this.timeoutMs} ms`);
        if (method === 'GET' && attempt === 1 && CONNECTION_LOST.has(codeOf(error))) continue;
        throw new NoAnswer(describe(error));
      }
      try {
        return { status: answer.statusCode, text: await answer.body.text() };
      } catch (error) {
        if (signal.aborted) throw new NoAnswer(`timed out after ${this.timeoutMs} ms`);
        throw new NoAnswer(`the response was cut off (${describe(error)})`);
      }
    }
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** The most telling part of a network error: its code (ECONNREFUSED, …), or a cause's. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as NodeJS.ErrnoException).code ?? error.message;
  }
  return String(error);
}
