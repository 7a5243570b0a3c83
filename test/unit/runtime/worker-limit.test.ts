import { describe, expect, it } from '@jest/globals';
import { nextLimit, WorkerLimit, type WorkerLimitSettings } from '../../../src/runtime/worker-limit.js';

const settings: WorkerLimitSettings = { initial: 8, min: 2, max: 32, window: 20, history: 50, probeEvery: 25 };

describe('nextLimit (ADR 29)', () => {
  it('cuts by a quarter once the latency has doubled, never below the minimum', () => {
    expect(nextLimit(16, 41, 20, true, settings)).toBe(12);
    expect(nextLimit(2, 100, 20, true, settings)).toBe(2);
  });

  it('adds one while reconciles wait for a place and the latency stays near its lowest', () => {
    expect(nextLimit(8, 24, 20, true, settings)).toBe(9);
    expect(nextLimit(32, 20, 20, true, settings)).toBe(32);
  });

  it('keeps the limit when nothing waits, or in between', () => {
    expect(nextLimit(8, 20, 20, false, settings)).toBe(8);
    expect(nextLimit(8, 30, 20, true, settings)).toBe(8);
  });
});

describe('WorkerLimit', () => {
  it('never lets more than the limit run, and grants waiters in order', async () => {
    const limit = new WorkerLimit({ ...settings, initial: 2 });
    const granted: number[] = [];
    expect(await limit.acquire()).toBe(true);
    expect(await limit.acquire()).toBe(true);
    const third = limit.acquire().then((ok) => granted.push(ok ? 3 : -3));
    const fourth = limit.acquire().then((ok) => granted.push(ok ? 4 : -4));
    await Promise.resolve();
    expect(granted).toEqual([]);
    limit.release();
    await third;
    expect(granted).toEqual([3]);
    limit.release();
    await fourth;
    expect(granted).toEqual([3, 4]);
  });

  it('refuses waiting and later acquires once closed, and grants again once opened', async () => {
    const limit = new WorkerLimit({ ...settings, initial: 2, min: 1 });
    await limit.acquire();
    await limit.acquire();
    const waiting = limit.acquire();
    limit.close();
    expect(await waiting).toBe(false);
    expect(await limit.acquire()).toBe(false);
    limit.open();
    limit.release();
    expect(await limit.acquire()).toBe(true);
  });

  it('reports each change of the limit', () => {
    const seen: number[] = [];
    const limit = new WorkerLimit({ ...settings, window: 2 }, (value) => seen.push(value));
    for (let i = 0; i < 2; i++) limit.observe(10);
    for (let i = 0; i < 2; i++) limit.observe(25);
    expect(seen).toEqual([8, 6]);
  });
});

/**
 * A backlog larger than the limit's maximum (reconciles always wait for a place) against a modelled
 * server whose round trip takes `latencyAt(running)` ms while `running` reconciles hold a place: each
 * step one reconcile finishes, reports its latency and gives its place to the next. Returns the limit
 * after each step.
 */
function simulate(limit: WorkerLimit, latencyAt: (running: number) => number, steps: number): number[] {
  for (let i = 0; i <= settings.max; i++) void limit.acquire();
  const seen: number[] = [];
  for (let i = 0; i < steps; i++) {
    limit.observe(latencyAt(limit.running));
    limit.release();
    void limit.acquire();
    seen.push(limit.current);
  }
  return seen;
}

describe('WorkerLimit against a modelled server', () => {
  it('grows to its maximum where the latency does not depend on how many run (a remote API server, network-bound)', () => {
    const seen = simulate(new WorkerLimit(settings), () => 10, 4_000);
    // At its maximum but for the probe windows.
    const settled = seen.slice(-1_000);
    expect(settled.filter((value) => value === settings.max).length).toBeGreaterThan(900);
  });

  it('settles near the capacity of a CPU-bound server, whose latency grows with what runs beyond it', () => {
    const capacity = 8;
    const seen = simulate(new WorkerLimit(settings), (running) => 10 * Math.max(1, running / capacity), 4_000);
    // Probe windows aside (at the minimum).
    const settled = seen.slice(-1_000).filter((value) => value !== settings.min);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(capacity);
    expect(Math.max(...settled)).toBeLessThanOrEqual(2 * capacity);
  });

  it('backs off when its own concurrency doubles the latency', () => {
    const limit = new WorkerLimit({ ...settings, initial: 32 });
    const seen = simulate(limit, (running) => 10 * Math.max(1, running / 4), 4_000);
    const settled = seen.slice(-1_000).filter((value) => value !== settings.min);
    expect(Math.max(...settled)).toBeLessThanOrEqual(8);
  });
});
