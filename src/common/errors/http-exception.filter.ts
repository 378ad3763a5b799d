import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestIdOf } from '../request/request-id.js';
import { ReplayedErrorResponse } from './replayed-error.js';
import { AppError, ErrorDetail } from './app-error.js';

export interface Rendered {
  status: number;
  code: string;
  message: string;
  details: ErrorDetail[];
  headers: Record<string, string>;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Errors raised by body-parser before any route runs carry a `type` and a `status`. */
function bodyParserError(error: unknown): Rendered | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  const type = error.type;
  if (type === 'entity.parse.failed') {
    return {
      status: 400,
      code: 'MALFORMED_JSON',
      message: 'Request body is not valid JSON',
      details: [],
      headers: {},
    };
  }
  if (type === 'entity.too.large') {
    return {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request body exceeds 1 MiB',
      details: [],
      headers: {},
    };
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return {
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Unsupported body encoding',
      details: [],
      headers: {},
    };
  }
  return undefined;
}

export function renderError(error: unknown): Rendered {
  if (error instanceof AppError) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      details: error.details,
      headers: error.headers,
    };
  }
  const parsed = bodyParserError(error);
  if (parsed) return parsed;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const cause = error.cause;
    const fromCause = bodyParserError(cause);
    if (fromCause) return fromCause;
    const body = error.getResponse();
    const message =
      typeof body === 'string'
        ? body
        : typeof body === 'object' &&
            body !== null &&
            'message' in body &&
            typeof body.message === 'string'
          ? body.message
          : error.message;
    const code = status === 404 ? 'NOT_FOUND' : (CODE_BY_STATUS[status] ?? 'ERROR');
    return {
      status,
      code,
      message: status === 404 && message.startsWith('Cannot ') ? 'Route not found' : message,
      details: [],
      headers: {},
    };
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    code: 'INTERNAL_ERROR',
    message: 'An unexpected error occurred; quote the request_id when reporting it',
    details: [],
    headers: {},
  };
}

/** The SPEC §3 error body. */
export function errorBody(rendered: Rendered, requestId: string) {
  return {
    status_code: rendered.status,
    code: rendered.code,
    message: rendered.message,
    details: rendered.details,
    request_id: requestId,
  };
}

/** The answer to an error: the status, headers and body HttpExceptionFilter sends (lean routes too). */
export function errorResponse(
  error: unknown,
  requestId: string,
): { rendered: Rendered; status: number; headers: Record<string, string>; body: unknown } {
  const rendered = renderError(error);
  // A stored answer replayed for an Idempotency-Key goes out as it was first sent.
  if (error instanceof ReplayedErrorResponse)
    return { rendered, status: error.status, headers: {}, body: error.body };
  return {
    rendered,
    status: rendered.status,
    headers: rendered.headers,
    body: errorBody(rendered, requestId),
  };
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const requestId = requestIdOf(request);
    const answer = errorResponse(error, requestId);
    if (answer.rendered.status >= 500) {
      this.logger.error(
        { err: error, request_id: requestId, method: request.method, path: request.path },
        'request failed',
      );
    }
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
    response.status(answer.status).json(answer.body);
  }
}
