/**
 * The bare baseline for the ingest benchmark, run as its own process (like the app): a minimal
 * `node:http` server that does only what intake must do — check the Paystack signature on the
 * raw bytes, store the event under a unique (gateway, event id), push it to Redis — with `pg` and
 * ioredis and nothing else. Configured by the parent through env; prints one JSON line when
 * listening: `{"listening":port,"synchronous_commit":…}`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';

const env = process.env;
const secret = env.BASELINE_SECRET ?? '';
const pool = new pg.Pool({
  connectionString: env.BASELINE_DATABASE_URL,
  max: Number(env.BASELINE_POOL_SIZE ?? 20),
});
const redis = new Redis(env.BASELINE_REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: 1,
});
const listKey = env.BASELINE_REDIS_KEY ?? 'bench-baseline';

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const header = req.headers['x-paystack-signature'];
  const expected = Buffer.from(createHmac('sha512', secret).update(raw).digest('hex'));
  const given = Buffer.from(typeof header === 'string' ? header : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return send(res, 401, '{"error":"INVALID_SIGNATURE"}');
  let eventId: string;
  try {
    const body = JSON.parse(raw.toString('utf8')) as {
      event: string;
      data: { id: number; status: string };
    };
    eventId = `${body.event}.${body.data.id}.${body.data.status}`;
  } catch {
    return send(res, 400, '{"error":"MALFORMED_WEBHOOK"}');
  }
  try {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO bench_baseline_events (gateway, event_id, payload) VALUES ('paystack', $1, $2)
       ON CONFLICT (gateway, event_id) DO NOTHING RETURNING id`,
      [eventId, raw.toString('utf8')],
    );
    if (rows.length === 0) return send(res, 200, '{"received":true,"duplicate":true}');
    await redis.lpush(listKey, rows[0].id);
  } catch {
    return send(res, 503, '{"error":"SERVICE_UNAVAILABLE"}');
  }
  send(res, 200, '{"received":true,"duplicate":false}');
}

const server = http.createServer((req, res) => {
  handle(req, res).catch(() => send(res, 500, '{"error":"INTERNAL_ERROR"}'));
});
server.keepAliveTimeout = 65_000;
const { rows } = await pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
server.listen(Number(env.BASELINE_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(
    `${JSON.stringify({ listening: address.port, synchronous_commit: rows[0].synchronous_commit })}\n`,
  );
});
process.on('SIGTERM', () => {
  server.close();
  void Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0));
});
