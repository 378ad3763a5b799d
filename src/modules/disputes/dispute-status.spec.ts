import { decideDisputeStatus } from './dispute-status.js';

describe('decideDisputeStatus', () => {
  it('moves forward from open to under review and to each outcome', () => {
    expect(decideDisputeStatus('open', 'under_review')).toEqual({
      change: true,
      next: 'under_review',
    });
    expect(decideDisputeStatus('open', 'won')).toEqual({ change: true, next: 'won' });
    expect(decideDisputeStatus('under_review', 'lost')).toEqual({ change: true, next: 'lost' });
    expect(decideDisputeStatus('open', 'accepted')).toEqual({ change: true, next: 'accepted' });
  });

  it('ignores a late reminder: under review or closed never goes back to open', () => {
    expect(decideDisputeStatus('under_review', 'open')).toEqual({
      change: false,
      contradiction: false,
    });
    expect(decideDisputeStatus('won', 'open')).toEqual({ change: false, contradiction: false });
    expect(decideDisputeStatus('lost', 'under_review')).toEqual({
      change: false,
      contradiction: false,
    });
  });

  it('never changes an outcome: a contradicting close is flagged, the same outcome is not', () => {
    expect(decideDisputeStatus('won', 'lost')).toEqual({ change: false, contradiction: true });
    expect(decideDisputeStatus('lost', 'won')).toEqual({ change: false, contradiction: true });
    expect(decideDisputeStatus('accepted', 'lost')).toEqual({
      change: false,
      contradiction: false,
    });
    expect(decideDisputeStatus('won', 'won')).toEqual({ change: false, contradiction: false });
  });
});
