import { Inject, Injectable } from '@nestjs/common';
import { CurrencyNotSupportedError, GatewayDisabledError } from './gateway.errors.js';
import { GATEWAY_NAMES, GatewayName, PaymentGateway } from './gateway.interface.js';
import { isPayoutGateway, type PayoutGateway } from './payout-gateway.interface.js';

export const GATEWAY_ADAPTERS = Symbol('GATEWAY_ADAPTERS');

/** Looks adapters up by name; the only way the rest of the app reaches a gateway. */
@Injectable()
export class GatewayRegistry {
  private readonly byName = new Map<GatewayName, PaymentGateway>();

  constructor(@Inject(GATEWAY_ADAPTERS) adapters: PaymentGateway[]) {
    for (const adapter of adapters) this.byName.set(adapter.name, adapter);
  }

  isKnown(name: string): name is GatewayName {
    return (
      (GATEWAY_NAMES as readonly string[]).includes(name) && this.byName.has(name as GatewayName)
    );
  }

  /** The adapter, or 422 GATEWAY_DISABLED when its secrets are not configured. */
  get(name: GatewayName): PaymentGateway {
    const adapter = this.byName.get(name);
    if (!adapter || !adapter.isEnabled()) throw new GatewayDisabledError(name);
    return adapter;
  }

  /** The adapter for a payment, checked for the currency before any call to the gateway. */
  forCurrency(name: GatewayName, currency: string): PaymentGateway {
    const adapter = this.get(name);
    if (!adapter.supportsCurrency(currency)) throw new CurrencyNotSupportedError(name, currency);
    return adapter;
  }

  /**
   * The payout side of a gateway that pays out in `currency`: 422 GATEWAY_DISABLED when it is not
   * configured or has no transfers API, 422 CURRENCY_NOT_SUPPORTED for a currency it cannot pay.
   */
  payouts(name: GatewayName, currency?: string): PayoutGateway {
    const adapter = this.get(name);
    if (!isPayoutGateway(adapter)) throw new GatewayDisabledError(`${name} payouts`);
    if (currency !== undefined && !adapter.supportsPayoutCurrency(currency))
      throw new CurrencyNotSupportedError(name, currency);
    return adapter;
  }

  enabled(): GatewayName[] {
    return [...this.byName.values()]
      .filter((adapter) => adapter.isEnabled())
      .map((adapter) => adapter.name);
  }
}
