import { createServer, type Server } from 'node:net';
import request from 'supertest';
import { offlineOpenApiDocument } from '../../src/openapi.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';

/** A port that counts the connections made to it (and answers none). */
async function countingPort(): Promise<{
  server: Server;
  port: number;
  connections: () => number;
}> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as { port: number }).port,
    connections: () => connections,
  };
}

/** `npm run openapi:export` (src/openapi-export.ts) builds its document with offlineOpenApiDocument. */
describe('OpenAPI export without a database or Redis (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('builds the document the API serves, connecting to nothing', async () => {
    const database = await countingPort();
    const redis = await countingPort();
    const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
    process.env.DATABASE_URL = `postgres://postgres@127.0.0.1:${database.port}/payments`;
    process.env.REDIS_URL = `redis://127.0.0.1:${redis.port}`;
    try {
      const offline = await offlineOpenApiDocument();
      // Anything that tried to connect would have done so by now.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect({ database: database.connections(), redis: redis.connections() }).toEqual({
        database: 0,
        redis: 0,
      });
      const served = (await request(t.url).get('/api/docs-json').expect(200)).body as unknown;
      expect(offline).toEqual(served);
      expect(Object.keys(offline.paths)).toEqual(
        expect.arrayContaining(['/api/v1/wallet/transfer', '/api/v1/webhooks/paystack']),
      );
    } finally {
      Object.assign(process.env, saved);
      await new Promise((resolve) => database.server.close(resolve));
      await new Promise((resolve) => redis.server.close(resolve));
    }
  });
});
