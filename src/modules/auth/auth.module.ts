import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './api-keys/api-key.entity.js';
import { AppConfig } from '../../config/app-config.js';
import { JwtService } from '@nestjs/jwt';
import { UsersModule } from '../users/users.module.js';
import { WalletModule } from '../wallet/wallet.module.js';
import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { PublishableKeysController } from './publishable-keys/publishable-keys.controller.js';
import { PublishableKeysService } from './publishable-keys/publishable-keys.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { GoogleCallbackGuard, GoogleConsentGuard } from './google/google-auth.guards.js';
import { googleConfigured, GoogleStrategy } from './google/google.strategy.js';
import { OAuthStateStore } from './google/oauth-state.store.js';
import { JWT_SIGNING_SECRET, jwtSecretProvider } from './jwt/jwt-secret.provider.js';
import { TokensService } from './jwt/tokens.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([ApiKey]),
    UsersModule,
    // The signed-in user is shown with their wallet number.
    WalletModule,
    PassportModule.register({ session: false }),
  ],
  controllers: [AuthController, ApiKeysController, PublishableKeysController],
  providers: [
    jwtSecretProvider,
    {
      // Built from the resolved secret (async: it may come from the database), so nothing signs
      // or verifies before the secret is known. HS256 only, in both directions.
      provide: JwtService,
      inject: [JWT_SIGNING_SECRET],
      // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse
      // it as a public key on every verify, about 50 times slower (bench/README.md).
      useFactory: (secret: string) =>
        new JwtService({
          secret: createSecretKey(Buffer.from(secret, 'utf8')),
          signOptions: { algorithm: 'HS256' },
          verifyOptions: { algorithms: ['HS256'] },
        }),
    },
    TokensService,
    ApiKeysService,
    PublishableKeysService,
    OAuthStateStore,
    {
      // passport-google-oauth20 cannot be built without a client: with none configured the
      // Google guards answer 503 GOOGLE_NOT_CONFIGURED before passport runs.
      provide: GoogleStrategy,
      inject: [AppConfig, OAuthStateStore],
      useFactory: (config: AppConfig, states: OAuthStateStore) =>
        googleConfigured(config) ? new GoogleStrategy(config, states) : null,
    },
    GoogleConsentGuard,
    GoogleCallbackGuard,
    AuthGuard,
  ],
  // AuthGuard is registered as the first global guard by the composition root (app.module.ts).
  exports: [TokensService, ApiKeysService, AuthGuard, PublishableKeysService],
})
export class AuthModule {}
