/**
 * Flags for developers' tools rather than for the service (the service's own settings are
 * AppConfig's). Read here so that process.env is read in src/config only.
 */

/** `UPDATE_SNAPSHOTS=1`: checked-in snapshots (settlement.sql) are rewritten instead of compared. */
export function snapshotUpdateRequested(): boolean {
  return process.env.UPDATE_SNAPSHOTS === '1';
}
