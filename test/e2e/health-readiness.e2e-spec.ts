import { createServer, type Server, type Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { REDIS } from '../../src/common/redis/redis.tokens.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';

const PROBES = 12;

/**
 * Readiness while Redis hangs (accepts connections, never answers): every probe answers 503 within
 * its time limit, and none leaves a listener behind on the shared Redis client (12 probes once
 * left 13 'ready' listeners and a MaxListenersExceededWarning).
 */
describe('GET /health/ready while Redis hangs (e2e)', () => {
  let t: TestApp;
  let silent: Server;
  const sockets = new Set<Socket>();
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);

  beforeAll(async () => {
    silent = createServer((socket) => {
      // Reads whatever the client sends and never says a word.
      sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    t = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    process.on('warning', onWarning);
  });

  afterAll(async () => {
    process.off('warning', onWarning);
    // Refuse from now on, so the app's clients fail fast while it shuts down.
    const closed = new Promise((resolve) => silent.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
    await t.close();
  });

  it('answers each probe 503 and leaves no listener behind', async () => {
    const redis = t.get<Redis>(REDIS);
    expect(redis.status).not.toBe('ready');
    const before = redis.listenerCount('ready');

    const answers = await Promise.all(
      Array.from({ length: PROBES }, () =>
        fetch(`${t.url}/api/v1/health/ready`, { signal: AbortSignal.timeout(10_000) }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(PROBES).fill(503));
    expect(await answers[0].json()).toMatchObject({ status_code: 503 });

    // One more round after the first, as a kubelet keeps probing.
    await fetch(`${t.url}/api/v1/health/ready`);
    expect(redis.listenerCount('ready')).toBe(before);
    expect(redis.listenerCount('error')).toBeLessThanOrEqual(before + 1);
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual(
      [],
    );
  });
});
