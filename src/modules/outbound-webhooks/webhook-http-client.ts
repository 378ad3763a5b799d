import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  checkWebhookUrl,
  type ResolvedAddress,
  type WebhookDnsResolver,
  WebhookUrlNotAllowedError,
} from './url-safety.js';

export const RESPONSE_EXCERPT_BYTES = 1024;
/** Read (and throw away) at most this much of a response before hanging up. */
const MAX_RESPONSE_BYTES = 64 * 1024;

// Keep-alive pools: a pooled socket is already connected to an address that was checked.
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256 });

export interface WebhookPostRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  resolver: WebhookDnsResolver;
  allowPrivate: boolean;
}

export interface WebhookPostResult {
  /** Null when no response came. */
  statusCode: number | null;
  retryAfter: string | null;
  responseExcerpt: string | null;
  error: string | null;
  durationMs: number;
}

/**
 * A lookup that only ever hands out the addresses checked a moment ago, so the socket connects to
 * exactly what was checked even if the DNS answer changes between the check and the connect.
 */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((
    _hostname: string,
    options: { all?: boolean; family?: number | string },
    callback: (...args: unknown[]) => void,
  ) => {
    const wanted =
      options.family === 4 || options.family === 'IPv4'
        ? 4
        : options.family === 6 || options.family === 'IPv6'
          ? 6
          : 0;
    const usable =
      wanted === 0 ? addresses : addresses.filter((address) => address.family === wanted);
    if (usable.length === 0) {
      callback(
        Object.assign(new Error('no checked address of the requested family'), {
          code: 'ENOTFOUND',
        }),
      );
      return;
    }
    if (options.all)
      callback(
        null,
        usable.map(({ address, family }) => ({ address, family })),
      );
    else callback(null, usable[0].address, usable[0].family);
  }) as LookupFunction;
}

/**
 * POSTs one webhook: resolves and checks the host (URL safety, again at connect time), connects to
 * the checked address, never follows redirects, and gives up after `timeoutMs` in total.
 * Never throws: every outcome is a result to record.
 */
export async function postWebhook(request: WebhookPostRequest): Promise<WebhookPostResult> {
  const started = performance.now();
  const elapsed = (): number => Math.max(0, Math.round(performance.now() - started));
  let addresses: ResolvedAddress[];
  try {
    addresses = await checkWebhookUrl(request.url, request.resolver, request.allowPrivate);
  } catch (error) {
    const message =
      error instanceof WebhookUrlNotAllowedError
        ? `${error.code}: ${error.message}`
        : String(error);
    return {
      statusCode: null,
      retryAfter: null,
      responseExcerpt: null,
      error: message,
      durationMs: elapsed(),
    };
  }
  const url = new URL(request.url);
  const isHttps = url.protocol === 'https:';
  const transport = isHttps ? https : http;

  return new Promise<WebhookPostResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<WebhookPostResult, 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    const req = transport.request(
      url,
      {
        method: 'POST',
        agent: isHttps ? httpsAgent : httpAgent,
        lookup: pinnedLookup(addresses),
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(request.body)),
          'user-agent': 'payments-backend-webhooks/1.0',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        let total = 0;
        const statusCode = res.statusCode ?? null;
        const retryAfter =
          typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : null;
        const done = (error: string | null): void => {
          const excerpt = Buffer.concat(chunks).toString('utf8');
          finish({
            statusCode,
            retryAfter,
            responseExcerpt: excerpt.length > 0 ? excerpt : null,
            error,
          });
        };
        res.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (kept < RESPONSE_EXCERPT_BYTES) {
            const part = chunk.subarray(0, RESPONSE_EXCERPT_BYTES - kept);
            chunks.push(part);
            kept += part.length;
          }
          if (total > MAX_RESPONSE_BYTES) {
            done(null);
            res.destroy();
          }
        });
        res.on('end', () => done(null));
        res.on('error', (error: Error) => done(`response aborted: ${error.message}`));
        res.on('close', () => done(null));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${request.timeoutMs} ms`));
    }, request.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      finish({
        statusCode: null,
        retryAfter: null,
        responseExcerpt: null,
        error: error.code ? `${error.code}: ${error.message}` : error.message,
      });
    });
    req.end(request.body);
  });
}
