import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.js';
import { describeError } from './describe-error.js';

/** A coordination.k8s.io/v1 Lease's spec, as far as election needs it. */
export interface LeaseRecord {
  holderIdentity: string | null;
  leaseDurationSeconds: number;
  acquireTime: string | null;
  renewTime: string | null;
  leaseTransitions: number;
}

export interface StoredLease {
  record: LeaseRecord;
  resourceVersion: string;
}

/** Where the Lease lives; update fails with `LeaseConflict` if resourceVersion is stale. */
export interface LeaseStore {
  get(): Promise<StoredLease | undefined>;
  create(record: LeaseRecord): Promise<StoredLease>;
  update(record: LeaseRecord, resourceVersion: string): Promise<StoredLease>;
}

export class LeaseConflict extends Error {}

export interface ElectionTiming {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface ElectionCallbacks {
  onStartedLeading: () => void;
  /** Leadership was lost (renewal failed past the deadline): stop reconciling at once. */
  onStoppedLeading: () => void;
}

/**
 * Lease-based leader election in the manner of client-go: candidates poll every retryPeriod; a lease
 * is taken over only after it has not changed for leaseDuration as measured on this machine's clock
 * (never by comparing clocks); the leader renews every retryPeriod and gives up if it cannot renew
 * within renewDeadline. On shutdown the leader releases the lease so a standby takes over at once.
 */
export class LeaderElector {
  private leading = false;
  private observed: { key: string; at: number } | undefined;
  private current: StoredLease | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: LeaseStore,
    private readonly identity: string,
    private readonly timing: ElectionTiming,
    private readonly callbacks: ElectionCallbacks,
    private readonly logger: Logger,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    let lastRenewal = 0;
    while (!this.abort.signal.aborted) {
      let succeeded = false;
      try {
        succeeded = await this.tryAcquireOrRenew();
      } catch (error) {
        this.logger.warn({ err: describeError(error) }, 'lease update failed');
      }
      if (succeeded) {
        lastRenewal = Date.now();
        if (!this.leading) {
          this.leading = true;
          this.logger.info({ identity: this.identity }, 'became leader');
          this.callbacks.onStartedLeading();
        }
      } else if (this.leading && Date.now() - lastRenewal > this.timing.renewDeadlineMs) {
        this.leading = false;
        this.logger.error({ identity: this.identity }, 'leadership lost: could not renew the lease in time');
        this.callbacks.onStoppedLeading();
        return;
      }
      await sleep(this.timing.retryPeriodMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const existing = await this.store.get();
    const fresh: LeaseRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.timing.leaseDurationMs / 1000),
      acquireTime: now.toISOString(),
      renewTime: now.toISOString(),
      leaseTransitions: 0,
    };
    if (existing === undefined) {
      try {
        this.current = await this.store.create(fresh);
        return true;
      } catch (error) {
        if (error instanceof LeaseConflict) return false;
        throw error;
      }
    }
    const { record } = existing;
    const key = `${record.holderIdentity ?? ''}|${record.renewTime ?? ''}`;
    if (this.observed?.key !== key) this.observed = { key, at: Date.now() };
    const heldByMe = record.holderIdentity === this.identity;
    const held = record.holderIdentity !== null && record.holderIdentity !== '';
    const expired = Date.now() > this.observed.at + record.leaseDurationSeconds * 1000;
    if (held && !heldByMe && !expired) return false;
    const next: LeaseRecord = heldByMe
      ? { ...record, renewTime: fresh.renewTime, leaseDurationSeconds: fresh.leaseDurationSeconds }
      : { ...fresh, leaseTransitions: record.leaseTransitions + 1 };
    try {
      this.current = await this.store.update(next, existing.resourceVersion);
      this.observed = { key: `${this.identity}|${next.renewTime ?? ''}`, at: Date.now() };
      return true;
    } catch (error) {
      if (error instanceof LeaseConflict) return false;
      throw error;
    }
  }

  /** Stops campaigning; a leader gives the lease up so a standby need not wait for it to expire. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (!this.leading || this.current === undefined) return;
    this.leading = false;
    try {
      await this.store.update(
        { ...this.current.record, holderIdentity: null, leaseDurationSeconds: 1, renewTime: new Date().toISOString() },
        this.current.resourceVersion,
      );
      this.logger.info('lease released');
    } catch (error) {
      this.logger.warn({ err: describeError(error) }, 'could not release the lease');
    }
  }
}
