import type { GatewayDisputeStatus } from '../gateways/gateway.interface.js';

export type DisputeStatus = GatewayDisputeStatus;
export const DISPUTE_STATUSES = ['open', 'under_review', 'won', 'lost', 'accepted'] as const;

export function isClosed(status: DisputeStatus): boolean {
  return status === 'won' || status === 'lost' || status === 'accepted';
}

const RANK: Record<DisputeStatus, number> = {
  open: 0,
  under_review: 1,
  won: 2,
  lost: 2,
  accepted: 2,
};

export type DisputeDecision =
  { change: false; contradiction: boolean } | { change: true; next: DisputeStatus };

/**
 * What a reported state does to the dispute we hold. States only move forward
 * (open → under_review → won | lost | accepted), so an event that arrives late (a reminder after
 * the close) changes nothing, and a closed dispute never reopens nor changes its outcome: a
 * contradicting report is recorded, not applied. `accepted` (our own concession) and a later
 * `lost` from the gateway are the same outcome.
 */
export function decideDisputeStatus(
  current: DisputeStatus,
  reported: DisputeStatus,
): DisputeDecision {
  if (current === reported) return { change: false, contradiction: false };
  if (isClosed(current)) {
    const sameOutcome =
      (current === 'accepted' && reported === 'lost') ||
      (current === 'lost' && reported === 'accepted');
    return { change: false, contradiction: isClosed(reported) && !sameOutcome };
  }
  if (RANK[reported] > RANK[current]) return { change: true, next: reported };
  return { change: false, contradiction: false };
}
