import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import {
  createTestDatabase,
  deleteRedisPrefix,
  TEST_DATA_KEY,
  TEST_JWT_SECRET,
  TEST_REDIS_URL,
  type TestDatabase,
} from '../helpers/test-env.js';
import { freePort, stopChild } from './faults.helpers.js';
import { waitFor } from './payments.helpers.js';

/** Pids of the live processes whose parent is `pid` (from /proc). */
function childPids(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = /^PPid:\s+(\d+)$/m.exec(status)?.[1];
      const state = /^State:\s+(\S)/m.exec(status)?.[1];
      if (Number(ppid) === pid && state !== 'Z') found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found.sort((a, b) => a - b);
}

/** Whether the supervisor's output says the HTTP process `child` started serving. */
const servingLogged = (text: string, child: number): boolean =>
  text.includes(`"msg":"an HTTP process is serving","httpPid":${child}`);

/**
 * HTTP_PROCESSES=2: `node dist/src/main.js` supervises two HTTP processes sharing one port. The
 * test checks they serve, that one killed is replaced, that SIGTERM stops all of them cleanly, and
 * that the setting is refused outside PROCESS_ROLE=api.
 */
describe('an API instance with several HTTP processes (e2e)', () => {
  let db: TestDatabase;
  let env: Record<string, string | undefined>;
  let port: number;
  const prefix = `test_cluster_${randomBytes(4).toString('hex')}`;
  const output: string[] = [];
  let supervisor: ChildProcess | undefined;

  const start = (extra: Record<string, string> = {}): ChildProcess => {
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    return child;
  };
  const health = (): Promise<number> =>
    fetch(`http://127.0.0.1:${port}/api/v1/health`).then(
      (res) => res.status,
      () => 0,
    );

  /** One /metrics scrape: its status and the HTTP requests it counts over all processes. */
  const scrapeMetrics = async (): Promise<{ status: number; counted: number; text: string }> => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    const text = await res.text();
    const counted = [...text.matchAll(/^http_request_duration_seconds_count\{[^}]*\} (\d+)$/gm)]
      .map((match) => Number(match[1]))
      .reduce((sum, n) => sum + n, 0);
    return { status: res.status, counted, text };
  };

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'ignore' });
    db = await createTestDatabase();
    port = await freePort();
    const childEnv: Record<string, string | undefined> = { ...process.env };
    delete childEnv.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the app
    env = {
      ...childEnv,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
      PROCESS_ROLE: 'api',
      HTTP_PROCESSES: '2',
    };
  }, 120_000);

  afterAll(async () => {
    if (supervisor) await stopChild(supervisor, 'SIGKILL');
    await db?.drop();
    await deleteRedisPrefix(TEST_REDIS_URL, prefix);
  });

  it('serves from two processes, replaces one that dies, and stops them all on SIGTERM', async () => {
    supervisor = start();
    const pid = supervisor.pid as number;
    await waitFor(health, (status) => status === 200, 60_000);
    const first = await waitFor(
      async () => childPids(pid),
      (pids) => pids.length === 2,
      30_000,
    );
    // Both serving (the supervisor logs each process's start of serving), so both get requests.
    await waitFor(
      async () => output.join(''),
      (text) => first.every((child) => servingLogged(text, child)),
      60_000,
    );

    // Many requests over fresh connections all answered while both serve.
    const statuses = await Promise.all(Array.from({ length: 40 }, () => health()));
    expect(statuses.every((status) => status === 200)).toBe(true);
    // /metrics answered by either process counts the requests both served.
    for (let scrape = 0; scrape < 4; scrape++) {
      const { status, counted } = await scrapeMetrics();
      expect(status).toBe(200);
      expect(counted).toBeGreaterThanOrEqual(40);
    }

    process.kill(first[0], 'SIGKILL');
    const replaced = await waitFor(
      async () => childPids(pid),
      (pids) => pids.length === 2 && !pids.includes(first[0]),
      60_000,
    );
    expect(replaced).toContain(first[1]);
    // A scrape while the replacement is still starting (it has not listened yet, so it cannot
    // answer for its metrics) is answered by the processes that serve, not failed.
    const [replacement] = replaced.filter((child) => child !== first[1]);
    const whileStarting = await scrapeMetrics();
    expect(whileStarting.status).toBe(200);
    expect(whileStarting.counted).toBeGreaterThanOrEqual(1); // the survivor's requests
    expect(servingLogged(output.join(''), replacement)).toBe(false); // it was still starting
    await waitFor(health, (status) => status === 200, 30_000);

    const exited = new Promise<number | null>((resolve) => supervisor?.once('exit', resolve));
    supervisor.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(childPids(pid)).toEqual([]);
    for (const child of replaced) expect(() => process.kill(child, 0)).toThrow();
    supervisor = undefined;
  }, 180_000);

  it('refuses HTTP_PROCESSES > 1 unless PROCESS_ROLE=api', async () => {
    const child = start({ PROCESS_ROLE: 'all' });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output.join('')).toContain('HTTP_PROCESSES=2 needs PROCESS_ROLE=api');
  }, 60_000);
});
