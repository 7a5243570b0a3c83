import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { LeaderElector, LeaseConflict, type LeaseRecord, type LeaseStore, type StoredLease } from '../../../src/runtime/leader-election.js';

/** An in-memory Lease with optimistic concurrency, as the API server has. */
class MemoryLeaseStore implements LeaseStore {
  lease: StoredLease | undefined;
  private version = 0;

  get(): Promise<StoredLease | undefined> {
    return Promise.resolve(this.lease && structuredClone(this.lease));
  }

  create(record: LeaseRecord): Promise<StoredLease> {
    if (this.lease) return Promise.reject(new LeaseConflict('exists'));
    this.lease = { record, resourceVersion: String(++this.version) };
    return Promise.resolve(structuredClone(this.lease));
  }

  update(record: LeaseRecord, resourceVersion: string): Promise<StoredLease> {
    if (this.lease?.resourceVersion !== resourceVersion) return Promise.reject(new LeaseConflict('stale'));
    this.lease = { record, resourceVersion: String(++this.version) };
    return Promise.resolve(structuredClone(this.lease));
  }
}

// Lease durations are whole seconds in the API.
const timing = { leaseDurationMs: 1_000, renewDeadlineMs: 600, retryPeriodMs: 100 };
const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function candidate(store: LeaseStore, identity: string) {
  const events: string[] = [];
  const elector = new LeaderElector(
    store,
    identity,
    timing,
    { onStartedLeading: () => events.push('started'), onStoppedLeading: () => events.push('stopped') },
    logger,
  );
  return { elector, events };
}

describe('LeaderElector', () => {
  it('one of two candidates leads; the other takes over only after the lease expires', async () => {
    const store = new MemoryLeaseStore();
    const a = candidate(store, 'a');
    const b = candidate(store, 'b');
    a.elector.start();
    await sleep(100);
    b.elector.start();
    await sleep(400);
    expect(a.elector.isLeader).toBe(true);
    expect(b.elector.isLeader).toBe(false);
    expect(store.lease?.record.holderIdentity).toBe('a');

    // a stops renewing without releasing (a crash): b waits out the lease duration, then leads.
    const crashed = store.lease?.record.renewTime;
    (a.elector as unknown as { abort: AbortController }).abort.abort();
    await sleep(timing.leaseDurationMs + 600);
    expect(b.elector.isLeader).toBe(true);
    expect(store.lease?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(store.lease?.record.renewTime).not.toBe(crashed);
    await b.elector.stop();
  });

  it('releases the lease on stop so a standby takes over at once', async () => {
    const store = new MemoryLeaseStore();
    const a = candidate(store, 'a');
    a.elector.start();
    await sleep(100);
    await a.elector.stop();
    expect(store.lease?.record.holderIdentity).toBeNull();
    const b = candidate(store, 'b');
    b.elector.start();
    await sleep(100);
    expect(b.elector.isLeader).toBe(true);
    await b.elector.stop();
  });

  it('gives up leadership when it cannot renew within the deadline', async () => {
    const store = new MemoryLeaseStore();
    const a = candidate(store, 'a');
    a.elector.start();
    await sleep(100);
    store.update = () => Promise.reject(new Error('API server unreachable'));
    await sleep(timing.renewDeadlineMs + 200);
    expect(a.events).toEqual(['started', 'stopped']);
    expect(a.elector.isLeader).toBe(false);
    await a.elector.stop();
  });
});
