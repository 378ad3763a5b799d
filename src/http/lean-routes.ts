import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppError } from '../common/errors/app-error.js';
import { errorResponse } from '../common/errors/http-exception.filter.js';
import { RequestLogs } from '../common/logging/request-log.js';
import { MetricsService } from '../common/metrics/metrics.service.js';
import { bodyProblem } from './body-limits.js';
import { clientIp } from '../common/rate-limit/client-ip.js';
import { runWithRequestId } from '../common/request/request-context.js';

export interface LeanRequest {
  /** The route pattern's capture groups, in order. */
  params: string[];
  headers: IncomingHttpHeaders;
  /** The body exactly as received (what body-parser's `rawBody` would hold). */
  rawBody: Buffer;
  /**
   * `JSON.parse(rawBody.toString('utf8'))`, already done while checking the body as body-parser
   * does; undefined when that parse is not what the body holds (empty body, byte-order mark).
   */
  json: unknown;
  /** The client address, as Express's `req.ip` would give it (common/rate-limit/client-ip.ts). */
  ip: string;
}

/**
 * A route answered before Express and Nest see the request. It must answer exactly as its Nest
 * controller does, with everything of the global pipeline that applies to it done by `handle`
 * itself (the dispatcher does request ids, CORS, the JSON body, errors, metrics and the log line).
 */
export interface LeanRoute {
  /** Matches the whole request URL; capture groups become `params`. No match: Express serves it. */
  path: RegExp;
  /** The route as Express reports it to the HTTP metrics (`baseUrl` + route path). */
  route: string;
  /** Status of a successful answer (the controller's @HttpCode). */
  status: number;
  /**
   * The JSON body of a successful answer; throws what the controller would throw. `raw` is the
   * request itself, for routes that run Nest's guards and interceptors on it (lean-controller-route.ts).
   */
  handle(request: LeanRequest, response: ServerResponse, raw: IncomingMessage): Promise<unknown>;
}

export interface LeanRouteOptions {
  /** Bodies up to this many bytes; larger ones go through Express, which answers 413. */
  bodyLimitBytes: number;
  /** The same CORS settings `enableCors` was given. */
  corsOrigins: string[];
  corsExposedHeaders: string[];
}

/** body-parser's JSON types (`application/json`, `application/*+json`) in their plain UTF-8 forms. */
const JSON_CONTENT_TYPE =
  /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json[ \t]*(?:;[ \t]*charset=(?:utf-8|"utf-8")[ \t]*)?$/i;
const DIGITS = /^\d+$/;
const JSON_WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const MALFORMED = Symbol('malformed JSON');

/**
 * Puts `routes` in front of the Express application on the app's HTTP server. A request takes the
 * lean path only in the plain case: POST to a matching URL (no query string) with a JSON body of
 * declared length within the limit, no content encoding and a UTF-8 charset. Anything else (a
 * chunked or compressed body, another charset or content type, a body over the limit) goes to
 * Express, whose parsers and filter answer as they always have.
 */
export function serveLeanRoutes(
  app: NestExpressApplication,
  routes: LeanRoute[],
  options: LeanRouteOptions,
): void {
  const server = app.getHttpServer();
  const listeners = server.listeners('request');
  if (listeners.length !== 1)
    throw new Error(`expected Express as the one request listener, found ${listeners.length}`);
  const express = listeners[0] as (req: IncomingMessage, res: ServerResponse) => void;
  const dispatcher = new LeanDispatcher(
    routes,
    options,
    app.get(MetricsService),
    app.get(RequestLogs, { strict: false }),
  );
  server.removeListener('request', express);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!dispatcher.serve(req, res)) express(req, res);
  });
}

class LeanDispatcher {
  // The same context as the global filter's, so a 5xx is logged the same way on either path.
  private readonly logger = new Logger('HttpExceptionFilter');

  constructor(
    private readonly routes: LeanRoute[],
    private readonly options: LeanRouteOptions,
    private readonly metrics: MetricsService,
    private readonly logs: RequestLogs,
  ) {}

  /** Takes the request if a lean route serves it; false leaves it to Express. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST' || !this.plainJsonBody(req.headers)) return false;
    const url = req.url ?? '';
    for (const route of this.routes) {
      const match = route.path.exec(url);
      if (match) {
        this.accept(route, match.slice(1), req, res);
        return true;
      }
    }
    return false;
  }

  private plainJsonBody(headers: IncomingHttpHeaders): boolean {
    const type = headers['content-type'];
    if (type === undefined || !JSON_CONTENT_TYPE.test(type)) return false;
    if (headers['transfer-encoding'] !== undefined) return false;
    const encoding = headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
    const length = headers['content-length'];
    return (
      length !== undefined && DIGITS.test(length) && Number(length) <= this.options.bodyLimitBytes
    );
  }

  private accept(route: LeanRoute, params: string[], req: IncomingMessage, res: ServerResponse) {
    const requestId = this.logs.startRequest(req, res);
    const endTimer = this.metrics.httpRequests.startTimer();
    const served = { route: route.route };
    res.once('close', () => {
      if (res.writableFinished)
        endTimer({ method: 'POST', route: served.route, status: String(res.statusCode) });
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // An aborted upload just ends here: the response's 'close' logs it as aborted.
    req.on('error', () => undefined);
    req.once('end', () => {
      const rawBody = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      // Jobs it enqueues carry the request id, and so does whatever it logs.
      runWithRequestId(
        requestId,
        () => void this.run(route, params, rawBody, req, res, requestId, served),
        true,
      );
    });
  }

  private async run(
    route: LeanRoute,
    params: string[],
    rawBody: Buffer,
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    served: { route: string },
  ): Promise<void> {
    try {
      const json = parseJsonBody(rawBody);
      if (json === MALFORMED || json instanceof AppError) {
        // As with Express: a request its body parser (or the body limits after it) refuses never
        // reaches the route.
        served.route = 'unmatched';
        this.fail(req, res, json === MALFORMED ? { type: 'entity.parse.failed' } : json, requestId);
        return;
      }
      this.cors(req, res);
      const body = await route.handle(
        { params, headers: req.headers, rawBody, json, ip: clientIp(req) },
        res,
        req,
      );
      send(res, route.status, body);
    } catch (error) {
      try {
        this.fail(req, res, error, requestId);
      } catch {
        res.destroy();
      }
    }
  }

  /** What HttpExceptionFilter does with an error. */
  private fail(req: IncomingMessage, res: ServerResponse, error: unknown, requestId: string) {
    const answer = errorResponse(error, requestId);
    if (answer.rendered.status >= 500) {
      this.logger.error(
        { err: error, request_id: requestId, method: req.method, path: req.url },
        'request failed',
      );
    }
    if (res.headersSent) return;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    send(res, answer.status, answer.body);
  }

  /** The headers the `cors` middleware sets on a request that is not a preflight. */
  private cors(req: IncomingMessage, res: ServerResponse): void {
    const { corsOrigins, corsExposedHeaders } = this.options;
    // enableCors with `origin: false` adds nothing at all.
    if (corsOrigins.length === 0) return;
    const origin = req.headers.origin;
    if (origin !== undefined && corsOrigins.includes(origin))
      res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (corsExposedHeaders.length > 0)
      res.setHeader('Access-Control-Expose-Headers', corsExposedHeaders.join(','));
  }
}

/**
 * The body as body-parser's strict JSON parser judges it (decoded as UTF-8 without a byte-order
 * mark; empty is allowed; otherwise an object or array that parses). MALFORMED when it would fail;
 * the error bodyLimitsMiddleware would answer when the body breaks the limits of body-limits.ts.
 */
function parseJsonBody(rawBody: Buffer): unknown {
  let text = rawBody.toString('utf8');
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  if (text.length === 0) return undefined;
  // Strict mode: an object or an array, after JSON's own whitespace (RFC 7159).
  let start = 0;
  while (start < text.length && JSON_WHITESPACE.has(text[start])) start++;
  if (text[start] !== '{' && text[start] !== '[') return MALFORMED;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return MALFORMED;
  }
  return bodyProblem(value) ?? (bom ? undefined : value);
}

/** Express's `res.status(status).json(body)` (ETags are off: see configure-app.ts). */
function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(payload.length));
  res.end(payload);
}
