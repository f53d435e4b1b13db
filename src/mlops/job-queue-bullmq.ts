/**
 * BullMQ delivery of job ids, used when REDIS_URL is set so that several `serve --role worker`
 * processes share the work. BullMQ only carries ids: the jobs table stays the system of record, and
 * a worker claims the job by id in the table before running it, so a duplicate, stale or stalled
 * message (BullMQ re-delivers a message whose worker died) runs nothing twice.
 */
import { Queue, Worker } from 'bullmq';
import type { JobSignal } from './jobs.js';

export const JOB_QUEUE_NAME = 'salescast-jobs';

export interface BullJobSignal extends JobSignal {
  /**
   * Starts consuming: `run(jobId)` claims and runs the job (see `JobRunner.runOnce`). `close`
   * stops taking messages and waits for the one in hand.
   */
  consume(
    run: (jobId: string) => Promise<unknown>,
    options?: { concurrency?: number },
  ): { close(): Promise<void> };
  close(): Promise<void>;
}

/** BullMQ wants its own connections, with unlimited retries per request for blocking commands. */
function connectionOf(redisUrl: string) {
  const u = new URL(redisUrl);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

export function createBullJobSignal(options: { redisUrl: string; prefix: string }): BullJobSignal {
  const connection = connectionOf(options.redisUrl);
  // BullMQ keys are `<prefix>:<queue>:…`; the platform prefix keeps test runs apart.
  const prefix = `${options.prefix}bull`;
  let queue: Queue | undefined;
  const workers: Worker[] = [];
  return {
    async announce(jobId, attempts, delayMs = 0) {
      queue ??= new Queue(JOB_QUEUE_NAME, { connection, prefix });
      // One message per attempt: a message id BullMQ already holds is not added twice.
      await queue.add(
        'run',
        { jobId },
        { jobId: `${jobId}.${attempts}`, delay: delayMs, removeOnComplete: true, removeOnFail: true },
      );
    },
    consume(run, consumeOptions = {}) {
      const worker = new Worker(
        JOB_QUEUE_NAME,
        async (message) => {
          await run((message.data as { jobId: string }).jobId);
        },
        { connection, prefix, concurrency: consumeOptions.concurrency ?? 1 },
      );
      workers.push(worker);
      return {
        async close() {
          await worker.close();
          workers.splice(workers.indexOf(worker), 1);
        },
      };
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await queue?.close();
    },
  };
}
