import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const VALID_ID = /^[A-Za-z0-9_-]{1,128}$/;
export const REQUEST_ID_HEADER = 'x-request-id';

type WithId = IncomingMessage & { id?: unknown };

/** Echoes a well-formed incoming X-Request-Id, otherwise makes a UUID (SPEC §1). */
export function assignRequestId(request: IncomingMessage, response: ServerResponse): string {
  const existing = (request as WithId).id;
  if (typeof existing === 'string') return existing;
  const incoming = request.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID();
  (request as WithId).id = id;
  response.setHeader('X-Request-Id', id);
  return id;
}

export function requestIdOf(request: IncomingMessage): string {
  const id = (request as WithId).id;
  return typeof id === 'string' ? id : 'unknown';
}
