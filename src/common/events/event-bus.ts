import { SetMetadata } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';

/** An event's arguments, and what each handler answers. */
export interface EventSpec {
  args: unknown[];
  result: unknown;
}

export type EventMapOf<M> = { [K in keyof M]: EventSpec };

export type EventHandler<S extends EventSpec> = (...args: S['args']) => Promise<S['result']>;

const ON_EVENT = 'events:on';

/**
 * Marks a provider's method as the handler of an in-process event: the bus finds it when it
 * first runs (immich's @OnEvent). The method's signature must match the event's map entry.
 */
export function onEventDecorator<M extends EventMapOf<M>>() {
  return <K extends keyof M & string>(name: K) =>
    (
      target: object,
      key: string | symbol,
      descriptor: TypedPropertyDescriptor<EventHandler<M[K]>>,
    ): void => {
      SetMetadata(ON_EVENT, name)(target, key, descriptor);
    };
}

type AnyHandler = (...args: unknown[]) => Promise<unknown>;

/**
 * Typed in-process events between modules: one module emits, the modules that react handle it,
 * and neither imports the other. Handlers run one after another in the order they were found
 * (providers with @OnEvent methods, then those added with `on`), each awaited: an error stops the
 * emit and propagates to the emitter, so a handler that runs inside the emitter's transaction
 * rolls it back. `emit` answers every handler's result, in order.
 */
export class EventBus<M extends EventMapOf<M>> {
  private handlers: Map<keyof M, AnyHandler[]> | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  on<K extends keyof M>(name: K, handler: EventHandler<M[K]>): void {
    this.list(name).push(handler);
  }

  async emit<K extends keyof M>(name: K, ...args: M[K]['args']): Promise<M[K]['result'][]> {
    const results: M[K]['result'][] = [];
    for (const handler of this.list(name)) results.push(await handler(...args));
    return results;
  }

  private list(name: keyof M): AnyHandler[] {
    this.handlers ??= this.discover();
    let handlers = this.handlers.get(name);
    if (!handlers) {
      handlers = [];
      this.handlers.set(name, handlers);
    }
    return handlers;
  }

  private discover(): Map<keyof M, AnyHandler[]> {
    const found = new Map<keyof M, AnyHandler[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = instance[method];
        if (typeof handler !== 'function') continue;
        const name = this.reflector.get<keyof M | undefined>(ON_EVENT, handler);
        if (name === undefined) continue;
        const bound = (handler as AnyHandler).bind(instance);
        found.set(name, [...(found.get(name) ?? []), bound]);
      }
    }
    return found;
  }
}
