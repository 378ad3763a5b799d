// Container healthcheck of a worker process: exits 0 while the worker keeps writing its heartbeat
// (WORKER_HEARTBEAT_FILE; see queue/worker-heartbeat.ts), 1 with a one-line reason otherwise.
import { readFile } from 'node:fs/promises';
import { AppConfig } from './config/app-config.js';
import { heartbeatProblem } from './queue/worker-heartbeat.js';

const file = AppConfig.fromEnv().workerHeartbeatFile;
const problem =
  file === undefined
    ? 'WORKER_HEARTBEAT_FILE is not set'
    : heartbeatProblem(await readFile(file, 'utf8').catch(() => undefined));
if (problem !== undefined) {
  process.stderr.write(`worker unhealthy: ${problem}\n`);
  process.exit(1);
}
