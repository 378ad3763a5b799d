import { Module } from '@nestjs/common';
import { GATEWAY_ADAPTERS, GatewayRegistry } from './gateway.registry.js';
import type { PaymentGateway } from './gateway.interface.js';

/**
 * Adding a gateway: create its folder with an adapter class implementing PaymentGateway, then
 * list the class in ADAPTERS below. Nothing outside this module changes.
 */
const ADAPTERS = [] as const;

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
  exports: [GatewayRegistry],
})
export class GatewaysModule {}
