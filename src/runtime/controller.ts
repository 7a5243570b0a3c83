import { randomUUID } from 'node:crypto';
import type { Logger } from './logger.js';
import type { WorkQueue } from './work-queue.js';
import { describeError } from './describe-error.js';
import type { WorkerLimit } from './worker-limit.js';

/** What a reconcile asks of the queue afterwards. */
export type ReconcileResult =
  | { kind: 'done' }
  /** A handled failure (status already written): retry with the key's backoff. */
  | { kind: 'retry' }
  /** Done, and due again later (a scheduled rotation, the end of a ttl). */
  | { kind: 'requeue'; afterMs: number };

/** Timers longer than this are cut short (setTimeout's limit is 24.8 days); the next pass schedules again. */
const maxRequeueMs = 24 * 3_600_000;

export type Reconciler = (key: string, logger: Logger) => Promise<ReconcileResult>;

export interface ReconcileObserver {
  onReconcile?: (result: ReconcileResult['kind'] | 'error', durationMs: number) => void;
}

/**
 * N workers draining one queue. Each reconcile gets a child logger with its key and an id; an
 * exception is logged and retried with backoff, never allowed to stop a worker. With a `limit`, the
 * workers are its maximum, and a key taken from the queue waits for one of its places (ADR 29).
 */
export class Controller {
  private workers: Promise<void>[] = [];

  constructor(
    private readonly queue: WorkQueue,
    private readonly reconcile: Reconciler,
    private readonly logger: Logger,
    private readonly observer: ReconcileObserver = {},
    private readonly limit?: WorkerLimit,
  ) {}

  start(workers: number): void {
    this.limit?.open();
    for (let i = 0; i < workers; i++) this.workers.push(this.work());
  }

  /** Stops taking keys and waits for in-flight reconciles (bounded by the caller). */
  async stop(): Promise<void> {
    this.queue.shutDown();
    this.limit?.close();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      // Closed (shutting down): the key is left for the next leader's first pass.
      if (this.limit && !(await this.limit.acquire())) {
        this.queue.done(key);
        return;
      }
      try {
        await this.processOne(key);
      } finally {
        this.limit?.release();
      }
      this.queue.done(key);
    }
  }

  private async processOne(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const logger = this.logger.child({ namespace, name, reconcileId: randomUUID().slice(0, 8) });
    const started = performance.now();
    try {
      const result = await this.reconcile(key, logger);
      this.observer.onReconcile?.(result.kind, performance.now() - started);
      switch (result.kind) {
        case 'done':
          this.queue.forget(key);
          break;
        case 'retry':
          logger.debug({ retryInMs: this.queue.addRateLimited(key) }, 'will retry');
          break;
        case 'requeue':
          this.queue.forget(key);
          this.queue.addAfter(key, Math.min(result.afterMs, maxRequeueMs));
          break;
      }
    } catch (error) {
      this.observer.onReconcile?.('error', performance.now() - started);
      const retryInMs = this.queue.addRateLimited(key);
      logger.error({ err: describeError(error), retryInMs }, 'reconcile failed');
    }
  }
}
