import type { ApiErrorBody } from './schema';

/** An error answer from the API, in the SPEC's shape, kept whole so the page can show it. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly details: ReadonlyArray<{ field?: string; message: string }>;

  constructor(
    status: number,
    body: Partial<ApiErrorBody> | null,
    fallbackRequestId?: string | null,
  ) {
    super(body?.message ?? `The server answered ${status} without an explanation.`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.code ?? 'UNKNOWN';
    this.requestId = body?.request_id ?? fallbackRequestId ?? null;
    this.details = body?.details ?? [];
  }
}

function isErrorBody(value: unknown): value is Partial<ApiErrorBody> {
  return typeof value === 'object' && value !== null && 'message' in value;
}

/** Turns whatever a failed call produced into an ApiError (unknown bodies included). */
export function toApiError(response: Response, body: unknown): ApiError {
  return new ApiError(
    response.status,
    isErrorBody(body) ? body : null,
    response.headers.get('x-request-id'),
  );
}

/**
 * openapi-fetch answers `{ data, error, response }`; pages want the data or a thrown ApiError
 * (which TanStack Query hands to the page as `error`).
 */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.error === undefined) {
    // 204 answers have no body: openapi-fetch gives `data: undefined` (typed as never/undefined).
    return result.data as T;
  }
  throw toApiError(result.response, result.error);
}
