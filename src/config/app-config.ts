import { BlockList, isIP } from 'node:net';
import { parseDuration } from './duration.js';

export type ProcessRole = 'api' | 'worker' | 'all';
export type NodeEnv = 'development' | 'production' | 'test';

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

/** Reads one variable; a bad value throws a ConfigError whose message names the variable. */
class EnvReader {
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
    }
    return Number(value);
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    throw new ConfigError(`${name} must be true or false, got "${value}"`);
  }

  durationMs(name: string, fallback: string): number {
    const value = this.raw(name) ?? fallback;
    try {
      return parseDuration(value);
    } catch {
      throw new ConfigError(`${name} must be a duration like 90s, 5m or 24h, got "${value}"`);
    }
  }

  url(name: string, fallback: string | undefined, protocols: string[]): string | undefined {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(`${name} must be a URL, got "${value}"`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
    }
    return value.replace(/\/+$/, '');
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name) ?? fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
    }
    return value as T;
  }

  /** A 32-byte key in base64; the value itself never appears in the error. */
  dataKey(name: string): Buffer | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const key = parseDataKey(value);
    if (!key)
      throw new ConfigError(
        `${name} must be 32 bytes written in base64 (44 characters; e.g. openssl rand -base64 32)`,
      );
    return key;
  }

  list(name: string): string[] {
    return (this.raw(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
}

const HTTP = ['http:', 'https:'];

/** The origin of an http(s) URL (`https://shop.example.com`), undefined for anything else. */
export function httpOrigin(url: string | undefined): string | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return HTTP.includes(parsed.protocol) ? parsed.origin : undefined;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True when the URL's host is this machine: `localhost` (and `*.localhost`), 127.0.0.0/8, ::1. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** A 32-byte key written in base64 (or base64url); undefined when the text is not one. */
export function parseDataKey(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const key = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  return key.length === 32 ? key : undefined;
}

/**
 * The one validated view of the environment. Nothing else in src reads process.env: every value
 * is parsed, defaulted and checked here, once, at boot.
 */
export class AppConfig {
  readonly nodeEnv: NodeEnv;
  readonly processRole: ProcessRole;
  /**
   * HTTP server processes of a PROCESS_ROLE=api instance (node:cluster, one listening port). Each
   * has its own DATABASE_POOL_SIZE connections. 1 = the process itself serves.
   */
  readonly httpProcesses: number;
  /**
   * The CPU niceness a PROCESS_ROLE=worker process gives itself (0 to 19): on a host it shares
   * with API processes, webhook intake and API requests are answered first and settlement, which
   * is asynchronous anyway, uses what CPU is left.
   */
  readonly workerNice: number;
  /**
   * Where a process that runs workers writes its heartbeat (every 10 s, once Redis and PostgreSQL
   * answered); unset, none is written. `dist/src/worker-health.js` reads it for a container
   * healthcheck (queue/worker-heartbeat.ts).
   */
  readonly workerHeartbeatFile: string | undefined;
  readonly port: number;
  readonly appUrl: string;
  readonly databaseUrl: string;
  readonly databasePoolSize: number;
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
  readonly logLevel: string;

  /**
   * Secrets must be configured, never generated: NODE_ENV=production, or an APP_URL that is not
   * on loopback (a deployment others reach is production for secrets, whatever NODE_ENV says).
   */
  readonly secretsMustBeGiven: boolean;
  /** Undefined means "not configured": in development a shared secret is generated at boot. */
  readonly jwtSecret: string | undefined;
  /**
   * Seals secrets the service must read back (DataKeyring). Undefined means "not configured": in
   * development a key is generated once into `dataEncryptionKeyFile`.
   */
  readonly dataEncryptionKey: Buffer | undefined;
  /** Keys of earlier rotations: they only open values, which are then sealed again with the current key. */
  readonly dataEncryptionOldKeys: Buffer[];
  readonly dataEncryptionKeyFile: string;
  readonly jwtAccessTtlMs: number;
  readonly jwtRefreshTtlMs: number;

  readonly google: {
    clientId?: string;
    clientSecret?: string;
    callbackUrl: string;
    authUrl: string;
    tokenUrl: string;
    userInfoUrl: string;
  };

  readonly paystack: { secretKey?: string; baseUrl: string };
  readonly flutterwave: { secretKey?: string; webhookHash?: string; baseUrl: string };
  readonly stripe: { secretKey?: string; webhookSecret?: string; baseUrl: string };
  readonly paypal: {
    clientId?: string;
    clientSecret?: string;
    webhookId?: string;
    baseUrl: string;
  };
  readonly generic: { webhookSecret?: string; checkoutUrl?: string };

  readonly frontendCallbackUrl: string | undefined;
  /**
   * Origins (`scheme://host[:port]`) a payment's callback_url may point at, so the public callback
   * never redirects a payer where the operator did not allow. Default: the origins of
   * FRONTEND_CALLBACK_URL and CORS_ORIGINS.
   */
  readonly callbackAllowedOrigins: string[];
  readonly walletCurrency: string;
  readonly webhookRetryScheduleMs: number[];
  readonly webhookAllowPrivateUrls: boolean;
  /** Outbound webhook endpoints one user may have. */
  readonly webhookEndpointsMax: number;
  readonly adminEmails: string[];
  readonly corsOrigins: string[];
  readonly paymentExpiryMs: number;
  readonly reconcileIntervalMs: number;
  readonly reconcileMinAgeMs: number;
  readonly apiKeyPrefix: string;
  readonly throttleTtlMs: number;
  readonly throttleLimit: number;
  readonly throttleWebhookLimit: number;
  readonly metricsToken: string | undefined;
  readonly gatewayTimeoutMs: number;
  /** Inbound webhook processing: first retry delay (doubles each attempt) and attempts in all. */
  readonly inboundWebhookBackoffMs: number;
  readonly inboundWebhookAttempts: number;
  /** How long an event for a payment we do not know is retried before it is parked `unmatched`. */
  readonly inboundWebhookUnmatchedWindowMs: number;
  /** How often stored-but-unprocessed inbound events are re-enqueued. */
  readonly inboundWebhookSweepIntervalMs: number;
  /** A stored inbound event's payload and headers are deleted this long after it was received. */
  readonly inboundPayloadRetentionMs: number;
  /** `abandoned` payments are re-verified this often, for RECONCILE_ABANDONED_WINDOW after expiry. */
  readonly reconcileAbandonedIntervalMs: number;
  readonly reconcileAbandonedWindowMs: number;
  /** Refund jobs: first retry delay (doubles each attempt) and attempts in all for transient gateway failures. */
  readonly refundBackoffMs: number;
  readonly refundAttempts: number;
  /** How often the refund reconciliation job runs (re-enqueues lost jobs, polls gateways). */
  readonly refundReconcileIntervalMs: number;
  /** How long after its last check a processing refund is asked about again. */
  readonly refundPollIntervalMs: number;
  /** An open refund untouched this long whose job is gone is enqueued again. */
  readonly refundSweepAfterMs: number;
  /**
   * How long an Idempotency-Key stays held by a request that has not finished: after this a retry
   * with the key takes it over (the request is taken to have died before changing anything).
   */
  readonly idempotencyInFlightTimeoutMs: number;
  /** Notifications (SPEC §16): SMTP server (unset: mails go to the log, addresses redacted). */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Mail attempts in all, and the first retry delay (doubles each attempt, at most 1 h). */
  readonly notificationAttempts: number;
  readonly notificationBackoffMs: number;
  /**
   * The built-in `test` gateway and /test routes (SPEC §14). Default: on in development on a
   * loopback APP_URL only, so a deployment others reach never takes make-believe money by default;
   * refused outright when NODE_ENV=production.
   */
  readonly testMode: boolean;
  /** The outcome a test-gateway payment settles to by itself after testProcessingDelayMs. */
  readonly testPaymentSuccess: boolean;
  /** Unset: test-gateway payments wait for the payer's Pay or Fail. */
  readonly testProcessingDelayMs: number | undefined;
  /** How long a checkout session may be paid (SPEC §13). */
  readonly checkoutSessionTtlMs: number;
  /**
   * Origins that may frame the hosted checkout page (CSP frame-ancestors), call the checkout
   * session routes from a browser (CORS) and receive its postMessages. Default: the origin of
   * APP_URL and those of CORS_ORIGINS.
   */
  readonly checkoutAllowedOrigins: string[];
  /** Payouts (SPEC §12): smallest withdrawal, per user per UTC day, and above which an admin approves. */
  readonly payoutMinAmount: number;
  readonly payoutDailyLimit: number;
  readonly payoutApprovalThreshold: number;
  /** How often the payout reconciliation verifies processing payouts and re-enqueues lost jobs. */
  readonly payoutReconcileIntervalMs: number;
  /** A processing payout is verified by reference this long after its last look. */
  readonly payoutVerifyIntervalMs: number;
  /** Only a gateway "not found" this long after the transfer call allows sending it again. */
  readonly payoutResendAfterMs: number;
  /** Payout jobs: first retry delay (doubles) and attempts in all. */
  readonly payoutBackoffMs: number;
  readonly payoutAttempts: number;

  constructor(env: Env) {
    const read = new EnvReader(env);
    this.nodeEnv = read.oneOf('NODE_ENV', 'development', ['development', 'production', 'test']);
    this.processRole = read.oneOf('PROCESS_ROLE', 'all', ['api', 'worker', 'all']);
    this.httpProcesses = read.int('HTTP_PROCESSES', 1, 1, 64);
    if (this.httpProcesses > 1 && this.processRole !== 'api')
      throw new ConfigError(
        `HTTP_PROCESSES=${this.httpProcesses} needs PROCESS_ROLE=api (run workers as their own processes)`,
      );
    this.workerNice = read.int('WORKER_NICE', 10, 0, 19);
    this.workerHeartbeatFile = read.optional('WORKER_HEARTBEAT_FILE');
    this.port = read.int('PORT', 3000, 0, 65535);
    this.appUrl = read.url('APP_URL', 'http://localhost:3000', HTTP) as string;
    this.databaseUrl = read.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/payments', [
      'postgres:',
      'postgresql:',
    ]) as string;
    this.databasePoolSize = read.int('DATABASE_POOL_SIZE', 20, 1, 500);
    this.redisUrl = read.url('REDIS_URL', 'redis://127.0.0.1:6379', [
      'redis:',
      'rediss:',
    ]) as string;
    this.redisKeyPrefix = read.string('REDIS_KEY_PREFIX', 'payments');
    if (!/^[A-Za-z0-9_-]+$/.test(this.redisKeyPrefix)) {
      throw new ConfigError(`REDIS_KEY_PREFIX may hold only letters, digits, - and _`);
    }
    this.logLevel = read.oneOf('LOG_LEVEL', 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ]);

    this.secretsMustBeGiven = this.nodeEnv === 'production' || !isLoopbackUrl(this.appUrl);
    const whyRequired =
      this.nodeEnv === 'production'
        ? 'when NODE_ENV=production'
        : `when APP_URL is not on loopback (${this.appUrl}): such a deployment is production for secrets, which are never generated there`;
    this.jwtSecret = read.optional('JWT_SECRET');
    if (this.jwtSecret !== undefined && this.jwtSecret.length < 32) {
      throw new ConfigError('JWT_SECRET must be at least 32 characters long');
    }
    if (this.jwtSecret === undefined && this.secretsMustBeGiven) {
      throw new ConfigError(`JWT_SECRET is required ${whyRequired}`);
    }
    this.dataEncryptionKey = read.dataKey('DATA_ENCRYPTION_KEY');
    if (this.dataEncryptionKey === undefined && this.secretsMustBeGiven) {
      throw new ConfigError(
        `DATA_ENCRYPTION_KEY is required ${whyRequired} (32 random bytes in base64: openssl rand -base64 32)`,
      );
    }
    this.dataEncryptionOldKeys = read.list('DATA_ENCRYPTION_OLD_KEYS').map((text, i) => {
      const key = parseDataKey(text);
      if (!key)
        throw new ConfigError(
          `DATA_ENCRYPTION_OLD_KEYS must be a comma-separated list of 32-byte base64 keys (entry ${i + 1} is not one)`,
        );
      return key;
    });
    this.dataEncryptionKeyFile = read.string('DATA_ENCRYPTION_KEY_FILE', '.dev-data-key');
    this.jwtAccessTtlMs = read.durationMs('JWT_ACCESS_TTL', '15m');
    this.jwtRefreshTtlMs = read.durationMs('JWT_REFRESH_TTL', '7d');

    this.google = {
      clientId: read.optional('GOOGLE_CLIENT_ID'),
      clientSecret: read.optional('GOOGLE_CLIENT_SECRET'),
      callbackUrl: read.url(
        'GOOGLE_CALLBACK_URL',
        `${this.appUrl}/api/v1/auth/google/callback`,
        HTTP,
      ) as string,
      authUrl: read.url(
        'GOOGLE_AUTH_URL',
        'https://accounts.google.com/o/oauth2/v2/auth',
        HTTP,
      ) as string,
      tokenUrl: read.url('GOOGLE_TOKEN_URL', 'https://oauth2.googleapis.com/token', HTTP) as string,
      userInfoUrl: read.url(
        'GOOGLE_USERINFO_URL',
        'https://openidconnect.googleapis.com/v1/userinfo',
        HTTP,
      ) as string,
    };

    this.paystack = {
      secretKey: read.optional('PAYSTACK_SECRET_KEY'),
      baseUrl: read.url('PAYSTACK_BASE_URL', 'https://api.paystack.co', HTTP) as string,
    };
    this.flutterwave = {
      secretKey: read.optional('FLUTTERWAVE_SECRET_KEY'),
      webhookHash: read.optional('FLUTTERWAVE_WEBHOOK_HASH'),
      baseUrl: read.url('FLUTTERWAVE_BASE_URL', 'https://api.flutterwave.com', HTTP) as string,
    };
    this.stripe = {
      secretKey: read.optional('STRIPE_SECRET_KEY'),
      webhookSecret: read.optional('STRIPE_WEBHOOK_SECRET'),
      baseUrl: read.url('STRIPE_BASE_URL', 'https://api.stripe.com', HTTP) as string,
    };
    this.paypal = {
      clientId: read.optional('PAYPAL_CLIENT_ID'),
      clientSecret: read.optional('PAYPAL_CLIENT_SECRET'),
      webhookId: read.optional('PAYPAL_WEBHOOK_ID'),
      baseUrl: read.url('PAYPAL_BASE_URL', 'https://api-m.sandbox.paypal.com', HTTP) as string,
    };
    this.generic = {
      webhookSecret: read.optional('GENERIC_WEBHOOK_SECRET'),
      checkoutUrl: read.url('GENERIC_CHECKOUT_URL', undefined, HTTP),
    };

    this.frontendCallbackUrl = read.url('FRONTEND_CALLBACK_URL', undefined, HTTP);
    this.walletCurrency = read.string('WALLET_CURRENCY', 'NGN').toUpperCase();
    if (!/^[A-Z]{3}$/.test(this.walletCurrency)) {
      throw new ConfigError(
        `WALLET_CURRENCY must be an ISO-4217 code like NGN, got "${this.walletCurrency}"`,
      );
    }
    this.webhookRetryScheduleMs = this.parseSchedule(read.raw('WEBHOOK_RETRY_SCHEDULE'));
    this.webhookAllowPrivateUrls = read.bool('WEBHOOK_ALLOW_PRIVATE_URLS', false);
    this.webhookEndpointsMax = read.int('WEBHOOK_ENDPOINTS_MAX', 16, 1, 1000);
    this.adminEmails = read.list('ADMIN_EMAILS').map((email) => email.toLowerCase());
    this.corsOrigins = read.list('CORS_ORIGINS');
    this.callbackAllowedOrigins =
      read.raw('CALLBACK_ALLOWED_ORIGINS') === undefined
        ? [
            ...new Set(
              [this.frontendCallbackUrl, ...this.corsOrigins].flatMap(
                (url) => httpOrigin(url) ?? [],
              ),
            ),
          ]
        : read.list('CALLBACK_ALLOWED_ORIGINS').map((url) => {
            const origin = httpOrigin(url);
            if (origin === undefined)
              throw new ConfigError(
                `CALLBACK_ALLOWED_ORIGINS must list http(s) origins like https://shop.example.com, got "${url}"`,
              );
            return origin;
          });
    this.paymentExpiryMs = read.durationMs('PAYMENT_EXPIRY', '24h');
    this.reconcileIntervalMs = read.durationMs('RECONCILE_INTERVAL', '60s');
    this.reconcileMinAgeMs = read.durationMs('RECONCILE_MIN_AGE', '5m');
    this.apiKeyPrefix = read.string('API_KEY_PREFIX', 'sk_live_');
    if (!/^[A-Za-z0-9_]{1,16}$/.test(this.apiKeyPrefix)) {
      throw new ConfigError('API_KEY_PREFIX may hold 1 to 16 letters, digits and _');
    }
    this.throttleTtlMs = read.durationMs('THROTTLE_TTL', '60s');
    this.throttleLimit = read.int('THROTTLE_LIMIT', 600, 1);
    this.throttleWebhookLimit = read.int('THROTTLE_WEBHOOK_LIMIT', 6000, 1);
    this.metricsToken = read.optional('METRICS_TOKEN');
    this.gatewayTimeoutMs = read.durationMs('GATEWAY_TIMEOUT', '15s');
    this.inboundWebhookBackoffMs = read.durationMs('INBOUND_WEBHOOK_BACKOFF', '2s');
    this.inboundWebhookAttempts = read.int('INBOUND_WEBHOOK_ATTEMPTS', 12, 1, 50);
    this.inboundWebhookUnmatchedWindowMs = read.durationMs(
      'INBOUND_WEBHOOK_UNMATCHED_WINDOW',
      '60s',
    );
    this.inboundWebhookSweepIntervalMs = read.durationMs('INBOUND_WEBHOOK_SWEEP_INTERVAL', '30s');
    this.inboundPayloadRetentionMs = read.durationMs('INBOUND_PAYLOAD_RETENTION', '90d');
    if (this.inboundPayloadRetentionMs < 3_600_000) {
      throw new ConfigError('INBOUND_PAYLOAD_RETENTION must be at least 1h');
    }
    this.reconcileAbandonedIntervalMs = read.durationMs('RECONCILE_ABANDONED_INTERVAL', '15m');
    this.reconcileAbandonedWindowMs = read.durationMs('RECONCILE_ABANDONED_WINDOW', '7d');
    this.refundBackoffMs = read.durationMs('REFUND_BACKOFF', '5s');
    this.refundAttempts = read.int('REFUND_ATTEMPTS', 8, 1, 50);
    this.refundReconcileIntervalMs = read.durationMs('REFUND_RECONCILE_INTERVAL', '60s');
    this.refundPollIntervalMs = read.durationMs('REFUND_POLL_INTERVAL', '5m');
    this.refundSweepAfterMs = read.durationMs('REFUND_SWEEP_AFTER', '2m');
    this.idempotencyInFlightTimeoutMs = read.durationMs('IDEMPOTENCY_IN_FLIGHT_TIMEOUT', '60s');
    this.payoutMinAmount = read.int('PAYOUT_MIN_AMOUNT', 10_000, 1);
    this.payoutDailyLimit = read.int('PAYOUT_DAILY_LIMIT', 5_000_000, 1);
    this.payoutApprovalThreshold = read.int('PAYOUT_APPROVAL_THRESHOLD', 1_000_000, 1);
    this.payoutReconcileIntervalMs = read.durationMs('PAYOUT_RECONCILE_INTERVAL', '60s');
    this.payoutVerifyIntervalMs = read.durationMs('PAYOUT_VERIFY_INTERVAL', '30s');
    this.payoutResendAfterMs = read.durationMs('PAYOUT_RESEND_AFTER', '30m');
    this.payoutBackoffMs = read.durationMs('PAYOUT_BACKOFF', '5s');
    this.payoutAttempts = read.int('PAYOUT_ATTEMPTS', 8, 1, 50);
    if (
      this.idempotencyInFlightTimeoutMs < 1_000 ||
      this.idempotencyInFlightTimeoutMs > 86_400_000
    ) {
      throw new ConfigError(
        `IDEMPOTENCY_IN_FLIGHT_TIMEOUT must be from 1s to 24h (keys are kept 24 h), got "${read.raw('IDEMPOTENCY_IN_FLIGHT_TIMEOUT') ?? ''}"`,
      );
    }
    this.smtpUrl = read.optional('SMTP_URL');
    if (this.smtpUrl !== undefined && !/^smtps?:\/\/[^/?#\s]+/i.test(this.smtpUrl)) {
      // The value may hold a password: the message never repeats it.
      throw new ConfigError('SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://…');
    }
    this.mailFrom = read.string('MAIL_FROM', 'Payments <no-reply@localhost>');
    if (/[\r\n]/.test(this.mailFrom) || !/@/.test(this.mailFrom)) {
      throw new ConfigError(`MAIL_FROM must be one address like "Shop <no-reply@shop.example>"`);
    }
    this.notificationAttempts = read.int('NOTIFICATION_ATTEMPTS', 8, 1, 50);
    this.notificationBackoffMs = read.durationMs('NOTIFICATION_BACKOFF', '30s');
    this.testMode = read.bool(
      'TEST_MODE',
      this.nodeEnv === 'development' && !this.secretsMustBeGiven,
    );
    if (this.testMode && this.nodeEnv === 'production') {
      throw new ConfigError('TEST_MODE must not be on when NODE_ENV=production');
    }
    this.testPaymentSuccess = read.bool('TEST_PAYMENT_SUCCESS', true);
    this.testProcessingDelayMs =
      read.raw('TEST_PROCESSING_DELAY') === undefined
        ? undefined
        : read.durationMs('TEST_PROCESSING_DELAY', '0s');
    this.checkoutSessionTtlMs = read.durationMs('CHECKOUT_SESSION_TTL', '30m');
    if (this.checkoutSessionTtlMs < 60_000 || this.checkoutSessionTtlMs > 86_400_000)
      throw new ConfigError('CHECKOUT_SESSION_TTL must be from 1m to 24h');
    this.checkoutAllowedOrigins =
      read.raw('CHECKOUT_ALLOWED_ORIGINS') === undefined
        ? [...new Set([this.appUrl, ...this.corsOrigins].flatMap((url) => httpOrigin(url) ?? []))]
        : read.list('CHECKOUT_ALLOWED_ORIGINS').map((url) => {
            const origin = httpOrigin(url);
            if (origin === undefined || origin !== url.replace(/\/+$/, ''))
              throw new ConfigError(
                `CHECKOUT_ALLOWED_ORIGINS must list http(s) origins like https://shop.example.com, got "${url}"`,
              );
            return origin;
          });
  }

  static fromEnv(env: Env = process.env): AppConfig {
    return new AppConfig(env);
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  get runsApi(): boolean {
    return this.processRole !== 'worker';
  }

  get runsWorkers(): boolean {
    return this.processRole !== 'api';
  }

  /** "0,60,300" or "0s,1m,5m": delays between delivery attempts, the first usually immediate. */
  private parseSchedule(raw: string | undefined): number[] {
    const value = raw ?? '0,60,300,1800,7200';
    try {
      const steps = value.split(',').map((step) => parseDuration(step));
      if (steps.length === 0 || steps.length > 20) throw new Error('length');
      return steps;
    } catch {
      throw new ConfigError(
        `WEBHOOK_RETRY_SCHEDULE must be a comma-separated list of 1 to 20 durations (seconds or 90s/5m/2h), got "${value}"`,
      );
    }
  }
}
