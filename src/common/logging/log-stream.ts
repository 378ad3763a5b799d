/**
 * Where log lines go: null means stdout. Tests override this provider with a stream of their own
 * to read what would have been logged.
 */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/** The stream every log line is written to: the root logger's and the request lines' (RequestLogs). */
export const LOG_STREAM = Symbol('LOG_STREAM');
