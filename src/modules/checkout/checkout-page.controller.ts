import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/auth/auth.decorators.js';
import { notFound } from '../../common/errors/app-error.js';
import { UsersService } from '../users/users.service.js';
import { CheckoutAssets, type CheckoutAsset } from './checkout-assets.js';
import { checkoutPageCsp, renderCheckoutPage } from './checkout-page.js';
import { CheckoutSessionsService } from './checkout-sessions.service.js';

const ASSET_TYPES: Record<CheckoutAsset, string> = {
  'checkout.js': 'text/javascript; charset=utf-8',
  'page.js': 'text/javascript; charset=utf-8',
  'page.css': 'text/css; charset=utf-8',
};

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
  ) {}

  @Get('checkout.js')
  sdk(@Res() res: Response): void {
    this.sendAsset(res, 'checkout.js');
  }

  @Get('checkout/assets/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    if (name !== 'page.js' && name !== 'page.css') throw notFound('Asset');
    this.sendAsset(res, name);
  }

  @Get('checkout/:id')
  async page(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const session = await this.sessions.getPublic(id);
    const owner = await this.users.findById(session.userId);
    const merchant = owner?.name ?? owner?.email ?? 'merchant';
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
