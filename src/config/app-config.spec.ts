import { AppConfig, ConfigError, isLoopbackUrl } from './app-config.js';

const JWT_SECRET = 'a-jwt-secret-that-is-long-enough-0123456789';
const DATA_KEY = Buffer.alloc(32, 1).toString('base64');

function configError(env: Record<string, string>): string {
  try {
    new AppConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('AppConfig: secrets where others can reach the deployment', () => {
  it.each([
    'http://localhost:3000',
    'http://app.localhost:3000',
    'http://127.0.0.1:3000',
    'http://127.8.9.10',
    'http://[::1]:3000',
    'http://[::ffff:127.0.0.1]:3000',
  ])('treats %s as loopback: development may generate its secrets', (url) => {
    expect(isLoopbackUrl(url)).toBe(true);
    const config = new AppConfig({ APP_URL: url });
    expect(config.secretsMustBeGiven).toBe(false);
    expect(config.jwtSecret).toBeUndefined();
    expect(config.dataEncryptionKey).toBeUndefined();
  });

  it.each([
    'https://pay.example.com',
    'http://10.0.0.5:3000',
    'http://0.0.0.0:3000',
    'http://[2001:db8::1]',
    'http://localhost.example.com',
  ])('treats %s as production for secrets', (url) => {
    expect(isLoopbackUrl(url)).toBe(false);
    expect(configError({ APP_URL: url })).toMatch(
      /^JWT_SECRET is required when APP_URL is not on loopback/,
    );
    expect(configError({ APP_URL: url, JWT_SECRET })).toMatch(
      /^DATA_ENCRYPTION_KEY is required when APP_URL is not on loopback/,
    );
    const config = new AppConfig({ APP_URL: url, JWT_SECRET, DATA_ENCRYPTION_KEY: DATA_KEY });
    expect(config.secretsMustBeGiven).toBe(true);
    expect(config.dataEncryptionKey).toEqual(Buffer.alloc(32, 1));
  });

  it('keeps NODE_ENV=production strict on loopback too', () => {
    expect(configError({ NODE_ENV: 'production' })).toBe(
      'JWT_SECRET is required when NODE_ENV=production',
    );
    expect(configError({ NODE_ENV: 'production', JWT_SECRET })).toMatch(
      /^DATA_ENCRYPTION_KEY is required when NODE_ENV=production/,
    );
  });

  it('accepts a key in base64 or base64url and refuses anything that is not 32 bytes, without echoing it', () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i));
    expect(
      new AppConfig({ DATA_ENCRYPTION_KEY: key.toString('base64') }).dataEncryptionKey,
    ).toEqual(key);
    expect(
      new AppConfig({ DATA_ENCRYPTION_KEY: key.toString('base64url') }).dataEncryptionKey,
    ).toEqual(key);
    const short = Buffer.alloc(16, 9).toString('base64');
    const message = configError({ DATA_ENCRYPTION_KEY: short });
    expect(message).toMatch(/^DATA_ENCRYPTION_KEY must be 32 bytes written in base64/);
    expect(message).not.toContain(short);
    expect(configError({ DATA_ENCRYPTION_OLD_KEYS: `${DATA_KEY},nope` })).toMatch(
      /^DATA_ENCRYPTION_OLD_KEYS .*entry 2/,
    );
  });

  it('reads INBOUND_PAYLOAD_RETENTION, 90 days by default', () => {
    expect(new AppConfig({}).inboundPayloadRetentionMs).toBe(90 * 86_400_000);
    expect(new AppConfig({ INBOUND_PAYLOAD_RETENTION: '30d' }).inboundPayloadRetentionMs).toBe(
      30 * 86_400_000,
    );
    expect(configError({ INBOUND_PAYLOAD_RETENTION: '10m' })).toBe(
      'INBOUND_PAYLOAD_RETENTION must be at least 1h',
    );
  });
});

describe('AppConfig: IDEMPOTENCY_IN_FLIGHT_TIMEOUT', () => {
  it('defaults to 60 s and reads a duration', () => {
    expect(new AppConfig({}).idempotencyInFlightTimeoutMs).toBe(60_000);
    expect(
      new AppConfig({ IDEMPOTENCY_IN_FLIGHT_TIMEOUT: '90s' }).idempotencyInFlightTimeoutMs,
    ).toBe(90_000);
  });

  it.each(['soon', '-5s', '500ms', '25h'])(
    'refuses %p with a line naming the variable',
    (value) => {
      expect(() => new AppConfig({ IDEMPOTENCY_IN_FLIGHT_TIMEOUT: value })).toThrow(ConfigError);
      expect(() => new AppConfig({ IDEMPOTENCY_IN_FLIGHT_TIMEOUT: value })).toThrow(
        /^IDEMPOTENCY_IN_FLIGHT_TIMEOUT must be/,
      );
    },
  );
});

describe('notification mail settings', () => {
  it('has no SMTP server by default (mails go to the log) and 8 attempts from 30 s', () => {
    const config = new AppConfig({});
    expect(config.smtpUrl).toBeUndefined();
    expect(config.mailFrom).toBe('Payments <no-reply@localhost>');
    expect(config.notificationAttempts).toBe(8);
    expect(config.notificationBackoffMs).toBe(30_000);
  });

  it('refuses a malformed SMTP_URL without repeating it (it may hold a password)', () => {
    for (const value of ['http://user:hunter2-pass@mail.example', 'smtp:/hunter2-pass']) {
      const message = configError({ SMTP_URL: value });
      expect(message).toMatch(/^SMTP_URL must be/);
      expect(message).not.toContain('hunter2-pass');
    }
    expect(new AppConfig({ SMTP_URL: 'smtps://u:p@mail.example:465' }).smtpUrl).toBe(
      'smtps://u:p@mail.example:465',
    );
  });

  it('refuses a MAIL_FROM that is no address or could add a header', () => {
    expect(configError({ MAIL_FROM: 'nobody' })).toMatch(/^MAIL_FROM must be/);
    expect(configError({ MAIL_FROM: 'a@b.example\r\nBcc: x@y.example' })).toMatch(/^MAIL_FROM/);
  });
});
