import http from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { postJson } from './http-post.js';

/**
 * The ingest benchmark's load generator, run on a thread of its own: the benchmark's process also
 * plays the gateway (the fake Paystack answers the app's verify calls), and sharing one event loop
 * with it would let the gateway's work delay the webhooks being sent and count as the app's
 * latency. Each webhook is sent once, from `concurrency` keep-alive connections, and timed.
 */

export interface Webhook {
  body: Buffer;
  signature: string;
}

export interface Drive {
  sent: number;
  accepted: number;
  rejected: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** performance.now() (of the calling thread) of the last accepted answer. */
  lastAcceptedAt: number;
  /** performance.now() (of the calling thread) when the first webhook was sent. */
  firstSentAt: number;
}

interface SendTask {
  port: number;
  path: string;
  webhooks: Webhook[];
  concurrency: number;
}

/** Sends on a new thread; resolves with what it measured, times in this thread's clock. */
export function sendFromThread(task: SendTask): Promise<Drive> {
  return new Promise<Drive>((resolve, reject) => {
    const thread = new Worker(new URL(import.meta.url), { workerData: task });
    thread.once('message', (drive: Drive) => {
      // The thread reports wall-clock times; performance.now() counts from each thread's start.
      resolve({
        ...drive,
        lastAcceptedAt: drive.lastAcceptedAt - performance.timeOrigin,
        firstSentAt: drive.firstSentAt - performance.timeOrigin,
      });
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the sender thread exited with code ${code}`)));
  });
}

async function post(
  agent: http.Agent,
  port: number,
  path: string,
  webhook: Webhook,
): Promise<number> {
  const answer = await postJson(
    agent,
    port,
    path,
    { 'user-agent': 'Paystack', 'x-paystack-signature': webhook.signature },
    webhook.body,
  );
  // A duplicate answer would mean the events were not distinct: count it as not accepted.
  return answer.status === 200 && answer.body.includes('"duplicate":false')
    ? 200
    : answer.status || 599;
}

async function send({ port, path, webhooks, concurrency }: SendTask): Promise<Drive> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  let lastAcceptedAt = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < webhooks.length) {
        const webhook = webhooks[next++];
        const t0 = performance.now();
        const status = await post(agent, port, path, webhook).catch(() => 0);
        const t1 = performance.now();
        latencies.push(t1 - t0);
        if (status === 200) {
          accepted++;
          lastAcceptedAt = Math.max(lastAcceptedAt, t1);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  const round = (n: number): number => Math.round(n * 100) / 100;
  return {
    sent: webhooks.length,
    accepted,
    rejected: webhooks.length - accepted,
    seconds: round(elapsed),
    perSecond: Math.round(accepted / elapsed),
    p50: round(pct(0.5)),
    p99: round(pct(0.99)),
    max: round(latencies[latencies.length - 1] ?? 0),
    lastAcceptedAt: performance.timeOrigin + lastAcceptedAt,
    firstSentAt: performance.timeOrigin + started,
  };
}

if (!isMainThread && parentPort) {
  const task = workerData as SendTask;
  // workerData arrives as plain Uint8Arrays: give the bodies their Buffer methods back.
  const webhooks = task.webhooks.map((webhook) => ({
    body: Buffer.from(webhook.body.buffer, webhook.body.byteOffset, webhook.body.byteLength),
    signature: webhook.signature,
  }));
  parentPort.postMessage(await send({ ...task, webhooks }));
}
