import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { UsersModule } from '../users/users.module.js';
import { WalletModule } from '../wallet/wallet.module.js';
import { DashboardStaticService } from './dashboard-static.js';
import { SessionController } from './session.controller.js';
import { SessionGoogleCallbackGuard, SessionGoogleConsentGuard } from './session-google.js';
import { SignInLinksService } from './sign-in-links.service.js';

/** The dashboard (SPEC §18): its cookie session, one-time sign-in links and its static files. */
@Module({
  imports: [AuthModule, UsersModule, WalletModule],
  controllers: [SessionController],
  providers: [
    SignInLinksService,
    SessionGoogleConsentGuard,
    SessionGoogleCallbackGuard,
    DashboardStaticService,
  ],
  exports: [SignInLinksService, DashboardStaticService],
})
export class DashboardModule {}
