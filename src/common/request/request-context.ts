import { AsyncLocalStorage } from 'node:async_hooks';

interface RequestContext {
  requestId: string;
  /** Whether the root logger adds request_id to lines logged here (see requestIdToLog). */
  tagsLogs: boolean;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Runs `fn` with `requestId` visible to everything it calls, including jobs it enqueues.
 *
 * `tagsLogs`: what is logged inside `fn` gets `request_id` from the root logger itself (HTTP
 * requests: configure-app.ts, lean-routes.ts). Jobs bind it on a child logger of their own
 * instead (job-context.ts).
 */
export function runWithRequestId<T>(requestId: string, fn: () => T, tagsLogs = false): T {
  return storage.run({ requestId, tagsLogs }, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The request id the root logger must add to a line logged now, if any. */
export function requestIdToLog(): string | undefined {
  const context = storage.getStore();
  return context?.tagsLogs ? context.requestId : undefined;
}
