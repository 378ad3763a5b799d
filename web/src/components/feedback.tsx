import type { ReactNode } from 'react';
import { ApiError } from '../api/errors';

function hintFor(error: ApiError): string | null {
  if (error.status === 401) return 'Your session may have ended: reload the page to sign in again.';
  if (error.status === 403) return 'Your account is not allowed to do this.';
  if (error.status === 404) return 'It may have been deleted, or it belongs to another account.';
  if (error.status === 429) return 'Too many requests: wait a minute, then try again.';
  if (error.status >= 500) {
    return 'The server failed. Try again; if it keeps failing, give the request id to whoever runs the service.';
  }
  return null;
}

/** An API failure as the API explained it, with its request id and what to do next. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  const apiError = error instanceof ApiError ? error : null;
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title ?? 'That did not work.'}</p>
      {apiError ? (
        <>
          <p>{apiError.message}</p>
          {apiError.details.length > 0 && (
            <ul>
              {apiError.details.map((detail, index) => (
                <li key={index}>
                  {detail.field ? <code>{detail.field}</code> : null} {detail.message}
                </li>
              ))}
            </ul>
          )}
          {hintFor(apiError) && <p>{hintFor(apiError)}</p>}
          <p className="muted small">
            {apiError.code}
            {apiError.requestId ? (
              <>
                {' · request id '}
                <code>{apiError.requestId}</code>
              </>
            ) : null}
          </p>
        </>
      ) : (
        <p>
          {error instanceof Error && error.message ? `${error.message}. ` : ''}
          The server could not be reached. Check your connection and try again.
        </p>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children && <div className="muted">{children}</div>}
    </div>
  );
}

/** Where the result of an action is announced (polite live region, visible too). */
export function StatusMessage({ children }: { children: ReactNode }) {
  return (
    <div className="status-message" role="status" aria-live="polite">
      {children}
    </div>
  );
}
