import { describe, expect, it } from '@jest/globals';
import { Controller } from '../../../src/runtime/controller.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { WorkQueue } from '../../../src/runtime/work-queue.js';
import { WorkerLimit } from '../../../src/runtime/worker-limit.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Controller with a WorkerLimit (WORKERS=auto, ADR 29)', () => {
  it('runs no more reconciles at once than the limit, however many workers; every key is reconciled', async () => {
    const queue = new WorkQueue({ initialMs: 10, maxMs: 40 });
    const limit = new WorkerLimit({ initial: 2, min: 1, max: 6, window: 100, history: 10, probeEvery: 100 });
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const controller = new Controller(
      queue,
      async (key) => {
        running += 1;
        most = Math.max(most, running);
        await tick();
        running -= 1;
        done.push(key);
        return { kind: 'done' };
      },
      createLogger('silent'),
      {},
      limit,
    );
    for (let i = 0; i < 20; i++) queue.add(`ns/u${String(i)}`);
    controller.start(6);
    while (done.length < 20) await tick();
    expect(most).toBe(2);
    expect(new Set(done).size).toBe(20);
    await controller.stop();
  });

  it('stops while keys wait for a place: the running reconcile finishes, the waiting ones do not start', async () => {
    const queue = new WorkQueue({ initialMs: 10, maxMs: 40 });
    const limit = new WorkerLimit({ initial: 1, min: 1, max: 4, window: 100, history: 10, probeEvery: 100 });
    let release: () => void = () => undefined;
    const started: string[] = [];
    const controller = new Controller(
      queue,
      async (key) => {
        started.push(key);
        await new Promise<void>((resolve) => (release = resolve));
        return { kind: 'done' };
      },
      createLogger('silent'),
      {},
      limit,
    );
    for (let i = 0; i < 4; i++) queue.add(`ns/u${String(i)}`);
    controller.start(4);
    await tick();
    expect(started).toEqual(['ns/u0']);
    const stopped = controller.stop();
    release();
    await stopped;
    expect(started).toEqual(['ns/u0']);
  });
});
