import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/auth/auth.decorators.js';
import { notFound } from '../../common/errors/app-error.js';
import { AppConfig } from '../../config/app-config.js';
import { PublishableKeysService } from '../auth/publishable-keys/publishable-keys.service.js';
import { UsersService } from '../users/users.service.js';
import { CheckoutAssets, type CheckoutAsset } from './checkout-assets.js';
import { checkoutPageCsp, DEMO_PAGE, DEMO_PAGE_CSP, renderCheckoutPage } from './checkout-page.js';
import { CheckoutSessionsService } from './checkout-sessions.service.js';

const ASSET_TYPES: Record<CheckoutAsset, string> = {
  'checkout.js': 'text/javascript; charset=utf-8',
  'page.js': 'text/javascript; charset=utf-8',
  'page.css': 'text/css; charset=utf-8',
  'demo.js': 'text/javascript; charset=utf-8',
};

/** The TEST_MODE demo shop's merchant, and what it sells. */
const DEMO_MERCHANT = 'demo-shop@example.com';
const DEMO_PRICE = { amount: 250_000, currency: 'NGN' };

/** Browsers cache the bundles for five minutes: their URLs are stable, so not for good. */
const ASSET_CACHE = 'public, max-age=300';

/** The hosted checkout page, its assets, and checkout.js (public). */
@ApiExcludeController()
@Public()
@Controller()
export class CheckoutPageController {
  private readonly assets = new CheckoutAssets();

  constructor(
    private readonly sessions: CheckoutSessionsService,
    private readonly users: UsersService,
    private readonly publishableKeys: PublishableKeysService,
    private readonly config: AppConfig,
  ) {}

  @Get('checkout.js')
  sdk(@Res() res: Response): void {
    this.sendAsset(res, 'checkout.js');
  }

  @Get('checkout/assets/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    if (name !== 'page.js' && name !== 'page.css' && name !== 'demo.js') throw notFound('Asset');
    this.sendAsset(res, name);
  }

  /** TEST_MODE only: a demo shop that embeds checkout.js, to try a payment with no setup. */
  @Get('checkout/demo')
  demo(@Res() res: Response): void {
    if (!this.config.testMode) throw notFound('Route');
    res
      .status(200)
      .setHeader('Content-Security-Policy', DEMO_PAGE_CSP)
      .setHeader('Cache-Control', 'no-store')
      .type('html')
      .send(DEMO_PAGE);
  }

  /** TEST_MODE only: the demo shop's backend, making a session for its (test) merchant. */
  @Post('checkout/demo/sessions')
  @HttpCode(201)
  async demoSession(): Promise<{ session_id: string; key: string }> {
    if (!this.config.testMode) throw notFound('Route');
    const merchant = await this.users.findOrCreateByEmail(DEMO_MERCHANT, 'Demo shop');
    const session = await this.sessions.create(merchant.id, false, {
      ...DEMO_PRICE,
      gateways: ['test'],
      extraAllowedOrigins: [new URL(this.config.appUrl).origin],
    });
    return { session_id: session.id, key: (await this.publishableKeys.get(merchant.id)).key };
  }

  @Get('checkout/:id')
  async page(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const session = await this.sessions.getPublic(id);
    const owner = await this.users.findById(session.userId);
    // The account's name, never its sign-in email: the page is public to whoever has the link.
    const merchant = owner?.name ?? 'the merchant';
    res
      .status(200)
      .setHeader('Content-Security-Policy', checkoutPageCsp(session.allowedOrigins))
      .setHeader('Cache-Control', 'no-store')
      .setHeader('Referrer-Policy', 'no-referrer')
      .setHeader('X-Content-Type-Options', 'nosniff')
      .type('html')
      .send(renderCheckoutPage(session, merchant, this.sessions.gatewaysFor(session)));
  }

  private sendAsset(res: Response, name: CheckoutAsset): void {
    res
      .status(200)
      .setHeader('Content-Type', ASSET_TYPES[name])
      .setHeader('Cache-Control', ASSET_CACHE)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .send(this.assets.get(name));
  }
}
