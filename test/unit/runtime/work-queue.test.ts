import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from '../../../src/runtime/work-queue.js';

const policy = { initialMs: 10, maxMs: 40 };

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const queue = new WorkQueue(policy);
    queue.add('a');
    queue.add('a');
    queue.add('b');
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
  });

  it('never hands one key to two workers; a re-add while processing runs again after done', async () => {
    const queue = new WorkQueue(policy);
    queue.add('a');
    const key = await queue.get();
    queue.add('a');
    expect(queue.length).toBe(0);
    let second: string | undefined;
    void queue.get().then((next) => (second = next));
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBeUndefined();
    queue.done(key ?? '');
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe('a');
  });

  it('backs off exponentially per key, up to the maximum, and forgets on success', () => {
    const queue = new WorkQueue(policy);
    const delays = [1, 2, 3, 4, 5].map(() => queue.addRateLimited('a'));
    expect(delays[0]).toBeGreaterThanOrEqual(8);
    expect(delays[0]).toBeLessThanOrEqual(12);
    expect(delays[2]).toBeGreaterThanOrEqual(32);
    expect(delays[4]).toBeLessThanOrEqual(48);
    queue.forget('a');
    expect(queue.addRateLimited('a')).toBeLessThanOrEqual(12);
    queue.shutDown();
  });

  it('adds after a delay; the earlier of two delays wins', async () => {
    const queue = new WorkQueue(policy);
    queue.addAfter('a', 200);
    queue.addAfter('a', 20);
    const started = Date.now();
    expect(await queue.get()).toBe('a');
    expect(Date.now() - started).toBeLessThan(150);
    queue.shutDown();
  });

  it('hands out no queued key after shutdown: only in-flight work finishes', async () => {
    const queue = new WorkQueue(policy);
    queue.add('a');
    queue.add('b');
    const inFlight = await queue.get();
    queue.shutDown();
    expect(await queue.get()).toBeUndefined();
    queue.done(inFlight ?? '');
  });

  it('releases waiting workers on shutdown and refuses new keys', async () => {
    const queue = new WorkQueue(policy);
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add('late');
    expect(queue.length).toBe(0);
  });

  it('reports how long a key waited', async () => {
    const waits: number[] = [];
    const queue = new WorkQueue(policy, { onWait: (ms) => waits.push(ms) });
    queue.add('a');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await queue.get();
    expect(waits[0]).toBeGreaterThanOrEqual(15);
  });
});
