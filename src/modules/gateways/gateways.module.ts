import { Module } from '@nestjs/common';
import { FlutterwaveAdapter } from './flutterwave/flutterwave.adapter.js';
import { GenericAdapter } from './generic/generic.adapter.js';
import { GATEWAY_ADAPTERS, GatewayRegistry } from './gateway.registry.js';
import { PayPalAdapter } from './paypal/paypal.adapter.js';
import { PaystackAdapter } from './paystack/paystack.adapter.js';
import { StripeAdapter } from './stripe/stripe.adapter.js';
import { TestGatewayAdapter } from './test/test-gateway.adapter.js';
import type { PaymentGateway } from './gateway.interface.js';

/**
 * Adding a gateway: create its folder with an adapter class implementing PaymentGateway, then
 * list the class in ADAPTERS below. Nothing outside this module changes.
 */
const ADAPTERS = [
  PaystackAdapter,
  FlutterwaveAdapter,
  StripeAdapter,
  PayPalAdapter,
  GenericAdapter,
  TestGatewayAdapter,
] as const;

@Module({
  providers: [
    ...ADAPTERS,
    {
      provide: GATEWAY_ADAPTERS,
      inject: [...ADAPTERS],
      useFactory: (...adapters: PaymentGateway[]) => adapters,
    },
    GatewayRegistry,
  ],
  exports: [GatewayRegistry, TestGatewayAdapter],
})
export class GatewaysModule {}
