import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { AppConfig } from '../config/app-config.js';

const METRICS_ASK = 'payments:cluster-metrics-ask';
const METRICS_ANSWER = 'payments:cluster-metrics-answer';
const COLLECT_ASK = 'payments:cluster-collect-ask';
const COLLECT_ANSWER = 'payments:cluster-collect-answer';
/** How long a process waits for the instance's metrics; the supervisor's own wait is shorter. */
const METRICS_TIMEOUT_MS = 5_000;
const COLLECT_TIMEOUT_MS = 4_000;

interface MetricsAsk {
  type: typeof METRICS_ASK;
  id: string;
}
interface MetricsAnswer {
  type: typeof METRICS_ANSWER;
  id: string;
  text?: string;
  error?: string;
}
interface CollectAsk {
  type: typeof COLLECT_ASK;
  id: string;
}
/** A process's own metrics as `Registry.getMetricsAsJSON()` gives them. */
type RegistryJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;
interface CollectAnswer {
  type: typeof COLLECT_ANSWER;
  id: string;
  metrics?: RegistryJson;
  error?: string;
}

/** A JSON log line like the app's own (pino is not set up in the supervising process). */
function log(level: 'info' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(
    `${JSON.stringify({ level, time: Date.now(), pid: process.pid, context: 'HttpCluster', msg, ...fields })}\n`,
  );
}

/** True in a process forked by superviseHttpProcesses (it migrated already; just serve). */
export const isForkedHttpProcess = (): boolean => cluster.isWorker;

/**
 * In a forked HTTP process, answers the supervisor's requests for this process's own metrics with
 * `registry`'s. A no-op elsewhere.
 */
export function shareMetricsWithSupervisor(registry: Registry): void {
  if (!cluster.isWorker) return;
  process.on('message', (message: CollectAsk) => {
    if (message?.type !== COLLECT_ASK) return;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: COLLECT_ANSWER, id: message.id, metrics }),
      (error: unknown) =>
        process.send?.({ type: COLLECT_ANSWER, id: message.id, error: (error as Error).message }),
    );
  });
}

/**
 * The supervisor's side: every process in `serving` asked for its metrics, the answers summed by
 * prom-client's aggregation (each metric's own `aggregator`). Only processes that have started
 * listening are asked: one still starting (a replacement, say) has not set up its answering yet
 * and has served nothing. prom-client's own `clusterMetrics()` asks every forked process, so a
 * scrape during a replacement's start waited out its timeout and failed; hence this.
 */
function collectFromServing(serving: Worker[]): Promise<string> {
  const id = randomUUID();
  const asked = serving.filter((worker) => worker.isConnected());
  if (asked.length === 0) return Promise.resolve('');
  return new Promise<string>((resolve, reject) => {
    const answers: RegistryJson[] = [];
    const pending = new Set(asked.map((worker) => worker.id));
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      cluster.off('message', onMessage);
      if (error) reject(error);
      else resolve(AggregatorRegistry.aggregate(answers).metrics());
    };
    const onMessage = (worker: Worker, message: CollectAnswer): void => {
      if (message?.type !== COLLECT_ANSWER || message.id !== id || !pending.has(worker.id)) return;
      if (message.metrics === undefined) {
        finish(new Error(message.error ?? 'no metrics'));
        return;
      }
      pending.delete(worker.id);
      answers.push(message.metrics);
      if (pending.size === 0) finish();
    };
    const timer = setTimeout(
      () => finish(new Error('an HTTP process did not answer with its metrics in time')),
      COLLECT_TIMEOUT_MS,
    );
    cluster.on('message', onMessage);
    for (const worker of asked) worker.send({ type: COLLECT_ASK, id } satisfies CollectAsk);
  });
}

/**
 * The metrics of every HTTP process of this instance, summed (gauges as their metric says), in the
 * Prometheus text format: a scrape answered by any one process reports the whole instance. Asks
 * the supervisor, which collects from each process. Only in a forked HTTP process.
 */
export function instanceMetrics(): Promise<string> {
  const id = randomUUID();
  return new Promise<string>((resolve, reject) => {
    const onMessage = (message: MetricsAnswer): void => {
      if (message?.type !== METRICS_ANSWER || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (message.text === undefined) reject(new Error(message.error ?? 'no metrics'));
      else resolve(message.text);
    };
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the supervisor did not answer with the metrics in time'));
    }, METRICS_TIMEOUT_MS);
    process.on('message', onMessage);
    process.send?.({ type: METRICS_ASK, id } satisfies MetricsAsk);
  });
}

/**
 * With HTTP_PROCESSES > 1 (PROCESS_ROLE=api only), this process serves nothing itself: it forks
 * that many copies of the app, which share the listening port through node:cluster, so one API
 * instance uses more than one core. Every route keeps working across processes because nothing a
 * request depends on lives in one process: rate limits are in Redis, idempotency keys and
 * sessions in Postgres, and the in-process caches hold only immutable mappings.
 *
 * The supervisor replaces a process that dies after it started serving, stops everything when
 * one dies before ever listening (a boot failure would otherwise loop), and passes SIGTERM or
 * SIGINT on, exiting once every process has shut down gracefully.
 *
 * Returns true in the supervisor, false where the caller should serve.
 */
export function superviseHttpProcesses(config: AppConfig): boolean {
  if (config.httpProcesses <= 1 || !cluster.isPrimary) return false;
  let stopping = false;
  let alive = 0;
  const listening = new Set<number>();

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  const fork = (): void => {
    const worker = cluster.fork();
    alive++;
    worker.once('listening', () => {
      listening.add(worker.id);
      log('info', 'an HTTP process is serving', { httpPid: worker.process.pid });
    });
  };

  cluster.on('message', (worker, message: MetricsAsk) => {
    if (message?.type !== METRICS_ASK) return;
    const answer = (reply: Omit<MetricsAnswer, 'type' | 'id'>): void => {
      if (worker.isConnected()) worker.send({ type: METRICS_ANSWER, id: message.id, ...reply });
    };
    const serving = Object.values(cluster.workers ?? {}).filter(
      (each): each is Worker => each !== undefined && listening.has(each.id),
    );
    collectFromServing(serving).then(
      (text) => answer({ text }),
      (error: unknown) => answer({ error: (error as Error).message }),
    );
  });

  cluster.on('exit', (worker, code, signal) => {
    alive--;
    const served = listening.delete(worker.id);
    if (!stopping && served) {
      log('error', 'an HTTP process died; starting another', { code, signal });
      fork();
      return;
    }
    if (!stopping) {
      log('error', 'an HTTP process failed to start; stopping', { code, signal });
      process.exitCode = 1;
      stop('SIGTERM');
    }
    if (alive === 0) process.exit();
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  for (let i = 0; i < config.httpProcesses; i++) fork();
  log('info', `serving on port ${config.port} with ${config.httpProcesses} HTTP processes`);
  return true;
}
