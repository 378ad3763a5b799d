import { parseSessionResponse } from './session-contract';

const valid = {
  access_token: 'eyJ…',
  token_type: 'Bearer',
  expires_in: 900,
  user: {
    id: 'u1',
    email: 'ada@example.com',
    name: null,
    wallet_number: '1234567890',
    is_admin: true,
  },
};

describe('parseSessionResponse', () => {
  it('reads the session answer', () => {
    expect(parseSessionResponse(valid)).toEqual(valid);
  });

  it('treats anything but is_admin: true as not an admin', () => {
    expect(
      parseSessionResponse({ ...valid, user: { ...valid.user, is_admin: 'yes' } }).user.is_admin,
    ).toBe(false);
    const { is_admin: _dropped, ...withoutFlag } = valid.user;
    expect(parseSessionResponse({ ...valid, user: withoutFlag }).user.is_admin).toBe(false);
  });

  it('refuses an answer without a token, a lifetime or a user', () => {
    expect(() => parseSessionResponse({ ...valid, access_token: '' })).toThrow('no access token');
    expect(() => parseSessionResponse({ ...valid, expires_in: 0 })).toThrow('expires_in');
    expect(() => parseSessionResponse({ ...valid, user: undefined })).toThrow('no user');
    expect(() => parseSessionResponse(null)).toThrow('no user');
    expect(() => parseSessionResponse({ ...valid, user: { ...valid.user, email: 5 } })).toThrow(
      'incomplete user',
    );
  });
});
