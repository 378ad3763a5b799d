import { REDACTED, redactUrl } from './redaction.js';

describe('redactUrl', () => {
  it('replaces secret query values with a literal marker and keeps the rest as sent', () => {
    expect(
      redactUrl(
        '/api/v1/auth/google/callback?code=4%2F0Ab&state=xyz&scope=email%20profile&authuser=0',
      ),
    ).toBe(
      `/api/v1/auth/google/callback?code=${REDACTED}&state=${REDACTED}&scope=email%20profile&authuser=0`,
    );
  });

  it('matches parameter names case-insensitively and leaves URLs without secrets untouched', () => {
    expect(redactUrl('/x?Access_Token=abc&limit=5')).toBe(`/x?Access_Token=${REDACTED}&limit=5`);
    expect(redactUrl('/x?limit=5&cursor=abc')).toBe('/x?limit=5&cursor=abc');
    expect(redactUrl('/x')).toBe('/x');
  });

  it('redacts inside absolute URLs and keeps a fragment', () => {
    expect(redactUrl('https://app.example.com/cb?code=secret#top')).toBe(
      `https://app.example.com/cb?code=${REDACTED}#top`,
    );
  });
});
