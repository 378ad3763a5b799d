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
  headers: Headers;
}

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
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${req.path}`, {
        method: req.method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `timed out after ${this.timeoutMs} ms`
          : describe(error);
      throw new GatewayUnavailableError(this.gateway, reason);
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : {};
    } catch {
      // keep the text: an HTML error page from a proxy is still worth the message
    }
    if (response.ok || acceptStatuses.includes(response.status)) {
      return { status: response.status, body: parsed as T, headers: response.headers };
    }
    const message = `${req.method} ${req.path} answered ${response.status}: ${text.slice(0, 300)}`;
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new GatewayUnavailableError(this.gateway, message);
    }
    throw new GatewayRequestError(this.gateway, response.status, message);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}
