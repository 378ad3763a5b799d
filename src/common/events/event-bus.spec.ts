import { type DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { EventBus, onEventDecorator } from './event-bus.js';

interface TestEvents {
  'thing.done': { args: [what: string]; result: string };
  'thing.checked': { args: [n: number]; result: number | null };
}

const OnTestEvent = onEventDecorator<TestEvents>();

class Reactor {
  readonly seen: string[] = [];

  @OnTestEvent('thing.done')
  async onDone(what: string): Promise<string> {
    this.seen.push(what);
    return `reactor saw ${what}`;
  }

  async notAHandler(): Promise<void> {}
}

function busWith(...instances: object[]): EventBus<TestEvents> {
  const discovery = {
    getProviders: () =>
      instances.map((instance) => ({ instance, isDependencyTreeStatic: () => true })),
  } as unknown as DiscoveryService;
  return new EventBus<TestEvents>(discovery, new MetadataScanner(), new Reflector());
}

describe('EventBus', () => {
  it('answers nothing for an event nobody handles', async () => {
    await expect(busWith(new Reactor()).emit('thing.checked', 1)).resolves.toEqual([]);
  });

  it('runs the decorated methods of providers, bound to them, then added handlers, in order', async () => {
    const reactor = new Reactor();
    const bus = busWith(reactor);
    bus.on('thing.done', async (what) => `added saw ${what}`);
    await expect(bus.emit('thing.done', 'x')).resolves.toEqual(['reactor saw x', 'added saw x']);
    expect(reactor.seen).toEqual(['x']);
  });

  it('stops at a handler that throws and hands its error to the emitter', async () => {
    const bus = busWith();
    const ran: number[] = [];
    bus.on('thing.checked', async (n) => {
      ran.push(1);
      if (n < 0) throw new Error('negative');
      return n;
    });
    bus.on('thing.checked', async () => {
      ran.push(2);
      return null;
    });
    await expect(bus.emit('thing.checked', -1)).rejects.toThrow('negative');
    expect(ran).toEqual([1]);
    await expect(bus.emit('thing.checked', 3)).resolves.toEqual([3, null]);
  });
});
