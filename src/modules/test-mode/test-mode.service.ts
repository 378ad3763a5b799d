import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { TestGatewayAdapter, type TestCharge } from '../gateways/test/test-gateway.adapter.js';
import { WebhookIntakeService } from '../incoming-webhooks/webhook-intake.service.js';

/**
 * Drives the test gateway's side of a payment: once a charge is decided (Pay, Fail, or
 * TEST_PROCESSING_DELAY), its signed event goes to the ordinary inbound intake (verify → store →
 * process → settle), exactly as a gateway's POST to /webhooks/test would. Handing it over in
 * process rather than over HTTP keeps it working whatever APP_URL says; the bytes, signature
 * and pipeline are the same.
 */
@Injectable()
export class TestModeService {
  private readonly logger = new Logger(TestModeService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly gateway: TestGatewayAdapter,
    private readonly intake: WebhookIntakeService,
  ) {}

  /**
   * Sends the signed event of the charge's state (the payer's decision, or a manual charge's
   * capture or void); the charge is marked notified only once intake stored it.
   */
  async notify(charge: TestCharge): Promise<void> {
    const { body, headers } = this.gateway.signedEvent(charge);
    await this.intake.receive('test', Buffer.from(body), headers, { ip: '127.0.0.1' });
    await this.gateway.markNotified(charge.reference, charge.status);
  }

  /**
   * The repeating job: decides charges whose TEST_PROCESSING_DELAY has passed, then sends every
   * decided charge's event not sent yet (a crash between deciding and sending loses nothing).
   */
  async sweep(): Promise<{ decided: number; notified: number }> {
    if (!this.config.testMode || !this.gateway.isEnabled()) return { decided: 0, notified: 0 };
    const decided = await this.gateway.decideAllDue();
    let notified = 0;
    for (const charge of await this.gateway.unnotified()) {
      try {
        await this.notify(charge);
        notified++;
      } catch (error) {
        this.logger.warn(`test gateway event for ${charge.reference} not sent: ${String(error)}`);
      }
    }
    return { decided, notified };
  }
}
