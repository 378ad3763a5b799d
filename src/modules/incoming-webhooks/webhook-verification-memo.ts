import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { serviceUnavailable } from '../../common/errors/app-error.js';
import { REDIS } from '../../common/redis/redis.tokens.js';
import { AppConfig } from '../../config/app-config.js';
import { InvalidSignatureError } from '../gateways/gateway.errors.js';
import type {
  GatewayName,
  InboundWebhookRequest,
  RemoteWebhookClaim,
} from '../gateways/gateway.interface.js';

/** How long the outcome of an event id's one verification call is kept. */
export const VERIFICATION_MEMO_TTL_MS = 24 * 3_600_000;
/** A claim outlives the verify call's own timeout by this much, so a crashed holder frees the id. */
const CLAIM_MARGIN_MS = 5_000;

interface Memo {
  state: 'pending' | 'valid' | 'invalid';
  /** SHA-256 of the raw body. */
  body: string;
  /** SHA-256 of the raw body and the signature headers: this exact request. */
  request: string;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * At most one call to a gateway's verification API per event id (SPEC §7), whatever arrives with
 * that id: the first request claims the id in Redis (SET NX) and makes the call; the outcome is kept
 * for VERIFICATION_MEMO_TTL_MS, bound to the bytes it was about, and every later request with the
 * id is answered from it:
 * - the body the gateway proved, again (the gateway's own retry, with new transmission headers):
 *   verified without a call; storing it is a duplicate;
 * - another body under a proven id: a forgery of a known event, 401;
 * - the exact request that was refused: 401 again;
 * - anything else while the id is claimed or was refused: 503, nothing stored. A forger who sends
 *   a real event id first cannot make the real event be refused for good: the gateway retries
 *   (PayPal for 3 days) and reconciliation asks the gateway about the payment in any case.
 * A call that could not check (503: the gateway down) frees the id for the next delivery.
 * Identical requests arriving together in one process share the call. While Redis is down only
 * that in-process sharing applies (the service keeps taking webhooks, as the rate limits fail open).
 */
@Injectable()
export class WebhookVerificationMemo {
  private readonly logger = new Logger(WebhookVerificationMemo.name);
  private readonly inFlight = new Map<string, Promise<void>>();
  private lastWarning = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  verifyOnce(
    gateway: GatewayName,
    claim: RemoteWebhookClaim,
    request: InboundWebhookRequest,
    verify: () => Promise<void>,
  ): Promise<void> {
    const body = sha256(request.rawBody);
    const memo: Memo = {
      state: 'pending',
      body,
      request: sha256(`${body}\n${claim.signature}`),
    };
    // The id is the sender's to choose, of any length: hashed, it makes a bounded key.
    const key = `${this.config.redisKeyPrefix}:webhook-verification:${gateway}:${sha256(claim.eventId)}`;
    const shared = `${key}:${memo.request}`;
    const running = this.inFlight.get(shared);
    if (running) return running;
    const judged = this.judge(key, memo, verify).finally(() => this.inFlight.delete(shared));
    this.inFlight.set(shared, judged);
    return judged;
  }

  private async judge(key: string, memo: Memo, verify: () => Promise<void>): Promise<void> {
    let claimed: boolean;
    let earlier: Memo | undefined;
    try {
      claimed =
        (await this.redis.set(
          key,
          JSON.stringify(memo),
          'PX',
          this.config.gatewayTimeoutMs + CLAIM_MARGIN_MS,
          'NX',
        )) === 'OK';
      if (!claimed) earlier = parseMemo(await this.redis.get(key));
    } catch (error) {
      this.warn(`verification memo unavailable (${(error as Error).message}); calling the gateway`);
      return verify();
    }
    if (!claimed) return answerFrom(earlier, memo);
    try {
      await verify();
    } catch (error) {
      if (error instanceof InvalidSignatureError)
        await this.keep(key, { ...memo, state: 'invalid' });
      else await this.redis.del(key).catch(() => undefined);
      throw error;
    }
    await this.keep(key, { ...memo, state: 'valid' });
  }

  private async keep(key: string, memo: Memo): Promise<void> {
    try {
      await this.redis.set(key, JSON.stringify(memo), 'PX', VERIFICATION_MEMO_TTL_MS);
    } catch (error) {
      // The claim expires on its own; until then other requests with the id wait (503).
      this.warn(`could not keep a verification outcome: ${(error as Error).message}`);
    }
  }

  private warn(message: string): void {
    if (Date.now() - this.lastWarning > 10_000) {
      this.lastWarning = Date.now();
      this.logger.warn(message);
    }
  }
}

function answerFrom(earlier: Memo | undefined, current: Memo): void {
  if (earlier?.state === 'valid') {
    if (earlier.body === current.body) return;
    throw new InvalidSignatureError();
  }
  if (earlier?.state === 'invalid' && earlier.request === current.request)
    throw new InvalidSignatureError();
  throw serviceUnavailable(
    'SERVICE_UNAVAILABLE',
    'Another request with this event id is being verified or was refused; retry later',
  );
}

function parseMemo(raw: string | null): Memo | undefined {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as Memo;
  } catch {
    return undefined;
  }
}
