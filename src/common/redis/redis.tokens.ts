/** A general-purpose client that fails fast while Redis is down (rate limits, request-path work). */
export const REDIS = Symbol('REDIS');
/** The connection BullMQ workers and schedulers share (blocking-safe, retries forever). */
export const BULL_REDIS = Symbol('BULL_REDIS');
