import { humanize } from '../lib/enums';

const tones: Record<string, 'ok' | 'bad' | 'warn' | 'neutral'> = {
  succeeded: 'ok',
  success: 'ok',
  processed: 'ok',
  active: 'ok',
  enabled: 'ok',
  failed: 'bad',
  revoked: 'bad',
  disabled: 'bad',
  unmatched: 'warn',
  needs_review: 'warn',
  failing: 'warn',
  expired: 'neutral',
  reversed: 'warn',
  // Manual capture (SPEC §15): money held at the gateway, waiting for capture or cancel.
  authorized: 'warn',
  canceled: 'neutral',
  // Payouts (SPEC §12) and notifications (SPEC §16).
  pending_approval: 'warn',
  requires_otp: 'warn',
  rejected: 'bad',
  sent: 'ok',
  logged: 'neutral',
  unread: 'warn',
  // Disputes (SPEC §17).
  open: 'warn',
  under_review: 'warn',
  won: 'ok',
  lost: 'bad',
  accepted: 'neutral',
};

/** A state as text (never colour alone), tinted by how it should read. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${tones[status] ?? 'neutral'}`}>{humanize(status)}</span>;
}
