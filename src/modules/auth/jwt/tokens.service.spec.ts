import { JwtService } from '@nestjs/jwt';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../../config/app-config.js';
import { TokensService } from './tokens.service.js';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';

describe('TokensService.verifyAccessToken (tokens remembered once verified)', () => {
  const jwt = new JwtService({
    secret: SECRET,
    signOptions: { algorithm: 'HS256' },
    verifyOptions: { algorithms: ['HS256'] },
  });
  const tokens = new TokensService({} as DataSource, jwt, {} as AppConfig);
  const claims = {
    sub: '6f1c1a52-0d0b-4c43-9d55-8a9a1f0c2b11',
    email: 'a@example.com',
    fam: '0b7c9a2e-3f51-4a0e-b2d5-7f6f8e9d0c1a',
    typ: 'access',
  };

  it('refuses a remembered token once it has expired', async () => {
    const token = jwt.sign(claims, { expiresIn: 60 });
    await expect(tokens.verifyAccessToken(token)).resolves.toMatchObject({ sub: claims.sub });
    await expect(tokens.verifyAccessToken(token)).resolves.toMatchObject({ sub: claims.sub });
    const realNow = Date.now;
    const later = realNow() + 61_000;
    Date.now = () => later;
    try {
      await expect(tokens.verifyAccessToken(token)).rejects.toMatchObject({ status: 401 });
    } finally {
      Date.now = realNow;
    }
  });

  it('remembers only the exact token: a changed signature or payload is verified and refused', async () => {
    const token = jwt.sign(claims, { expiresIn: 60 });
    await tokens.verifyAccessToken(token);
    const [header, payload, signature] = token.split('.');
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(tokens.verifyAccessToken(`${header}.${payload}.${flipped}`)).rejects.toMatchObject(
      { status: 401 },
    );
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString(
      'base64url',
    );
    await expect(
      tokens.verifyAccessToken(`${header}.${forged}.${signature}`),
    ).rejects.toMatchObject({ status: 401 });
    const otherKey = new JwtService({ secret: `${SECRET}-other` }).sign(claims, { expiresIn: 60 });
    await expect(tokens.verifyAccessToken(otherKey)).rejects.toMatchObject({ status: 401 });
  });

  it('never remembers a refused token', async () => {
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 });
    await expect(tokens.verifyAccessToken(expired)).rejects.toMatchObject({ status: 401 });
    await expect(tokens.verifyAccessToken(expired)).rejects.toMatchObject({ status: 401 });
    const refresh = jwt.sign({ ...claims, typ: 'refresh' }, { expiresIn: 60 });
    await expect(tokens.verifyAccessToken(refresh)).rejects.toMatchObject({ status: 401 });
  });
});
