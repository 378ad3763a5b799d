import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { assignRequestId } from '../request/request-id.js';
import { LOG_STREAM } from './log-stream.js';
import { REDACTED, SECRET_HEADERS, SECRET_KEYS, redactUrl } from './redaction.js';

/**
 * Header names whose values the root logger's redaction replaces in a logged request or response:
 * the `req.headers["…"]` / `res.headers["…"]` paths and the `*.*.<key>` paths (case-sensitive, as
 * pino matches them; Node lower-cases header names).
 */
const SECRET_HEADER_NAMES = new Set<string>([...SECRET_HEADERS, ...SECRET_KEYS]);

/** A copy of `headers` with every secret value replaced, keys and their order kept. */
export function redactHeaders(
  headers: Record<string, unknown> | OutgoingHttpHeaders,
): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const name of Object.keys(headers)) {
    kept[name] = SECRET_HEADER_NAMES.has(name) ? REDACTED : headers[name];
  }
  return kept;
}

/**
 * The request line: one per HTTP request (configure-app.ts, lean-routes.ts), in the shape and at
 * the level pino-http writes (error for 5xx, warn for 4xx, info otherwise).
 *
 * pino-http builds child loggers per request (serializing and redacting the request for them,
 * whatever the level) and runs pino's path redaction, wildcards included, over every line: about
 * a fifth of the CPU of a webhook and a tenth of a transfer's. Here the line is built only when
 * its level is enabled, from values redacted up front with the same lists (redaction.ts;
 * request-log.spec.ts holds the two to the same result), and goes out through a logger on the
 * same destination that skips the redaction pass. What the handler itself logs goes through the
 * root logger as usual, tagged with the request id (request-context.ts).
 */
/** Polled by monitoring: a line each would drown the rest. */
const UNLOGGED_PATHS = new Set(['/metrics', '/api/v1/health']);

@Injectable()
export class RequestLogs {
  /** A logger on the root logger's stream without its redaction pass or serializers. */
  private readonly plain: Logger;

  constructor(@Inject(LOG_STREAM) stream: DestinationStream) {
    this.plain = pino({ level: 'trace' }, stream);
  }

  /**
   * Starts a request: gives it its id (echoed or made: request-id.ts) and writes its line once its
   * response has finished or its connection closed. Returns the id.
   */
  startRequest(req: IncomingMessage, res: ServerResponse): string {
    const startedAt = Date.now();
    const requestId = assignRequestId(req, res);
    if (!UNLOGGED_PATHS.has(req.url ?? ''))
      res.once('close', () => this.logRequest(req, res, requestId, startedAt));
    return requestId;
  }

  /** The request's line, once its response has finished or its connection closed. */
  private logRequest(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    startedAt: number,
  ): void {
    const failed = res.statusCode >= 500;
    const level: Level = failed ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
    const root = PinoLogger.root;
    if (!root.isLevelEnabled(level)) return;
    const request = {
      id: requestId,
      method: req.method,
      url: redactUrl(req.url ?? ''),
      headers: redactHeaders(req.headers),
      remoteAddress: req.socket.remoteAddress,
    };
    const responseHeaders = redactHeaders(res.getHeaders());
    if (typeof responseHeaders.location === 'string')
      responseHeaders.location = redactUrl(responseHeaders.location);
    const response = {
      statusCode: res.headersSent ? res.statusCode : null,
      headers: responseHeaders,
    };
    const responseTime = Date.now() - startedAt;
    const line = failed
      ? {
          req: request,
          request_id: requestId,
          res: response,
          err: pino.stdSerializers.err(new Error(`failed with status code ${res.statusCode}`)),
          responseTime,
        }
      : { req: request, request_id: requestId, res: response, responseTime };
    const message = failed
      ? 'request errored'
      : !req.readableAborted && res.writableEnded
        ? 'request completed'
        : 'request aborted';
    this.plain[level](line, message);
  }
}
