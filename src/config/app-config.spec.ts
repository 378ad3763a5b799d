import { AppConfig, ConfigError } from './app-config.js';

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
