import { apiKeyExpiresAt } from './api-key-expiry.js';

describe('apiKeyExpiresAt', () => {
  const at = (iso: string) => new Date(iso);

  it('adds an hour and a day exactly', () => {
    expect(apiKeyExpiresAt('1H', at('2026-03-01T10:15:00.000Z')).toISOString()).toBe(
      '2026-03-01T11:15:00.000Z',
    );
    expect(apiKeyExpiresAt('1D', at('2026-03-01T10:15:00.000Z')).toISOString()).toBe(
      '2026-03-02T10:15:00.000Z',
    );
  });

  it('treats 1M as one calendar month, keeping the time of day', () => {
    expect(apiKeyExpiresAt('1M', at('2026-01-15T08:00:00.000Z')).toISOString()).toBe(
      '2026-02-15T08:00:00.000Z',
    );
    expect(apiKeyExpiresAt('1M', at('2026-12-10T23:30:00.000Z')).toISOString()).toBe(
      '2027-01-10T23:30:00.000Z',
    );
  });

  it('clamps to the last day of a shorter month', () => {
    expect(apiKeyExpiresAt('1M', at('2026-01-31T12:00:00.000Z')).toISOString()).toBe(
      '2026-02-28T12:00:00.000Z',
    );
    expect(apiKeyExpiresAt('1M', at('2028-01-31T12:00:00.000Z')).toISOString()).toBe(
      '2028-02-29T12:00:00.000Z',
    );
    expect(apiKeyExpiresAt('1M', at('2026-03-31T12:00:00.000Z')).toISOString()).toBe(
      '2026-04-30T12:00:00.000Z',
    );
  });

  it('treats 1Y as twelve calendar months, a leap day landing on Feb 28', () => {
    expect(apiKeyExpiresAt('1Y', at('2026-06-01T00:00:00.000Z')).toISOString()).toBe(
      '2027-06-01T00:00:00.000Z',
    );
    expect(apiKeyExpiresAt('1Y', at('2028-02-29T00:00:00.000Z')).toISOString()).toBe(
      '2029-02-28T00:00:00.000Z',
    );
  });
});
