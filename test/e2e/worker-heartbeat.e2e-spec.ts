import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { heartbeatProblem, WORKER_HEARTBEAT_MAX_AGE_MS } from '../../src/queue/worker-heartbeat.js';
import { createTestApp } from '../helpers/test-env.js';
import { waitFor } from './payments.helpers.js';

/** The worker's container healthcheck reads a heartbeat the worker writes only while it can work. */
describe('worker heartbeat (e2e)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heartbeat-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const contents = (file: string) => readFile(file, 'utf8').catch(() => undefined);

  it('is written by a process that runs workers while Redis and PostgreSQL answer', async () => {
    const file = join(dir, 'up');
    const t = await createTestApp({ env: { WORKER_HEARTBEAT_FILE: file } });
    try {
      const written = await waitFor(
        () => contents(file),
        (text) => text !== undefined,
      );
      expect(heartbeatProblem(written)).toBeUndefined();
      expect(JSON.parse(written as string)).toMatchObject({ pid: process.pid });
    } finally {
      await t.close();
    }
  });

  it('is not written while the worker cannot reach Redis', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const file = join(dir, 'no-redis');
    const t = await createTestApp({
      env: { WORKER_HEARTBEAT_FILE: file, REDIS_URL: `redis://127.0.0.1:${port}` },
    });
    try {
      // Longer than a beat's own time limit (5 s).
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(await contents(file)).toBeUndefined();
      expect(heartbeatProblem(await contents(file))).toBe('no heartbeat written yet');
    } finally {
      await t.close();
    }
  });

  it('judges a heartbeat older than three beats unhealthy', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const beat = JSON.stringify({ at: at.toISOString(), pid: 1 });
    expect(heartbeatProblem(beat, at.getTime() + WORKER_HEARTBEAT_MAX_AGE_MS)).toBeUndefined();
    expect(heartbeatProblem(beat, at.getTime() + WORKER_HEARTBEAT_MAX_AGE_MS + 1_000)).toMatch(
      /31 s old/,
    );
    expect(heartbeatProblem('not json')).toBe('the heartbeat file is not a heartbeat');
  });
});
