import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { getPriority } from 'node:os';
import {
  createTestDatabase,
  deleteRedisPrefix,
  testEnv,
  TEST_REDIS_URL,
  type TestDatabase,
} from '../helpers/test-env.js';
import { freePort, stopChild } from './faults.helpers.js';
import { waitFor } from './payments.helpers.js';

/**
 * PROCESS_ROLE=worker processes lower their own CPU priority (WORKER_NICE), so that API processes
 * on the same host are served first; API processes keep theirs. Real `node dist/src/main.js`
 * processes, as an operator starts them.
 */
describe('worker CPU priority (e2e)', () => {
  let db: TestDatabase;
  const children: ChildProcess[] = [];
  const env = testEnv();

  function start(role: 'api' | 'worker', extra: Record<string, string> = {}): ChildProcess {
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
    delete childEnv.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the app
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: { ...childEnv, DATABASE_URL: db.url, PROCESS_ROLE: role, ...extra },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  }

  /** The niceness of the process's main thread once it has booted (the app sets it at start). */
  async function nicenessOnceStarted(child: ChildProcess, expected: number): Promise<number> {
    const pid = child.pid as number;
    return waitFor(
      () => Promise.resolve(getPriority(pid)),
      (value) => value === expected || child.exitCode !== null,
      30_000,
    );
  }

  beforeAll(async () => {
    // The children run the built app: build it when the sources are newer than dist/.
    execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'ignore' });
    db = await createTestDatabase();
  }, 300_000);

  afterAll(async () => {
    for (const child of children) await stopChild(child);
    await deleteRedisPrefix(TEST_REDIS_URL, env.REDIS_KEY_PREFIX as string);
    await db?.drop();
  });

  it('runs a worker at WORKER_NICE and leaves an API process at normal priority', async () => {
    const worker = start('worker', { WORKER_NICE: '7' });
    expect(await nicenessOnceStarted(worker, 7)).toBe(7);
    expect(worker.exitCode).toBeNull();

    const api = start('api', { WORKER_NICE: '7', PORT: String(await freePort()) });
    const apiPid = api.pid as number;
    // The API migrates and listens; its priority never changes.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(api.exitCode).toBeNull();
    expect(getPriority(apiPid)).toBe(0);
  }, 60_000);

  it('refuses a WORKER_NICE outside 0–19 at boot', async () => {
    const worker = start('worker', { WORKER_NICE: '25' });
    const code = await new Promise<number | null>((resolve) => worker.once('exit', resolve));
    expect(code).toBe(1);
  }, 60_000);
});
