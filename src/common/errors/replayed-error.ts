/** A stored error answer being replayed verbatim by the global filter. */
export class ReplayedErrorResponse extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super('replayed idempotent error response');
  }
}
