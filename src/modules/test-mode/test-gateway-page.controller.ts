import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/auth/auth.decorators.js';
import { notFound } from '../../common/errors/app-error.js';
import { AppConfig } from '../../config/app-config.js';
import {
  TEST_GATEWAY_PAGE_PATH,
  TestGatewayAdapter,
  type TestCharge,
  type TestOutcome,
} from '../gateways/test/test-gateway.adapter.js';
import { renderTestGatewayPage, TEST_PAGE_CSP } from './test-gateway-page.js';
import { TestModeService } from './test-mode.service.js';

const REFERENCE = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The test gateway's own hosted page, as Paystack's or Stripe's would be: served by this service
 * only in TEST_MODE (404 otherwise). Pay and Fail are plain form posts; the decision is recorded
 * once, its signed event goes through the inbound pipeline, and the payer is sent to the
 * payment's return URL (our /payments/callback), like any gateway does.
 */
@ApiExcludeController()
@Public()
@Controller(TEST_GATEWAY_PAGE_PATH)
export class TestGatewayPageController {
  constructor(
    private readonly config: AppConfig,
    private readonly gateway: TestGatewayAdapter,
    private readonly testMode: TestModeService,
  ) {}

  @Get(':reference')
  async page(@Param('reference') reference: string, @Res() res: Response): Promise<void> {
    const charge = await this.charge(reference);
    res
      .status(200)
      .setHeader('Content-Security-Policy', TEST_PAGE_CSP)
      .setHeader('Cache-Control', 'no-store')
      .type('html')
      .send(renderTestGatewayPage(charge, `/api/v1/${TEST_GATEWAY_PAGE_PATH}/${charge.reference}`));
  }

  @Post(':reference/pay')
  @HttpCode(303)
  async pay(@Param('reference') reference: string, @Res() res: Response): Promise<void> {
    await this.decide(reference, 'succeeded', res);
  }

  @Post(':reference/fail')
  @HttpCode(303)
  async fail(@Param('reference') reference: string, @Res() res: Response): Promise<void> {
    await this.decide(reference, 'failed', res);
  }

  private async decide(reference: string, outcome: TestOutcome, res: Response): Promise<void> {
    await this.charge(reference);
    const charge = await this.gateway.decide(reference, outcome);
    if (!charge) throw notFound('Test payment');
    // A failure here leaves the charge decided and unsent; the sweep sends it.
    await this.testMode.notify(charge);
    res.redirect(303, charge.returnUrl);
  }

  private async charge(reference: string): Promise<TestCharge> {
    if (!this.config.testMode || !REFERENCE.test(reference)) throw notFound('Test payment');
    const charge = await this.gateway.find(reference);
    if (!charge) throw notFound('Test payment');
    return charge;
  }
}
