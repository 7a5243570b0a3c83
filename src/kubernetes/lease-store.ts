import { LeaseConflict, type LeaseRecord, type LeaseStore, type StoredLease } from '../runtime/leader-election.js';
import { ignoreNotFound, isConflict, KubeApiError } from '../kube/api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import { leases, resourcePath } from '../kube/paths.js';

interface LeaseObject {
  metadata?: { resourceVersion?: string };
  spec?: Partial<LeaseRecord>;
}

/** MicroTime fields want microseconds: 2026-01-01T00:00:00.000000Z. */
function microTime(iso: string | null): string | null {
  return iso === null ? null : iso.replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The election's Lease in the API server (coordination.k8s.io/v1). */
export class KubeLeaseStore implements LeaseStore {
  constructor(
    private readonly http: KubeClient,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  private get collection(): string {
    return resourcePath(leases, this.namespace);
  }

  private toStored(lease: LeaseObject): StoredLease {
    const spec = lease.spec ?? {};
    return {
      resourceVersion: lease.metadata?.resourceVersion ?? '',
      record: {
        holderIdentity: spec.holderIdentity ?? null,
        leaseDurationSeconds: spec.leaseDurationSeconds ?? 15,
        acquireTime: spec.acquireTime ?? null,
        renewTime: spec.renewTime ?? null,
        leaseTransitions: spec.leaseTransitions ?? 0,
      },
    };
  }

  private body(record: LeaseRecord, resourceVersion?: string): object {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace: this.namespace, ...(resourceVersion ? { resourceVersion } : {}) },
      spec: { ...record, acquireTime: microTime(record.acquireTime), renewTime: microTime(record.renewTime) },
    };
  }

  async get(): Promise<StoredLease | undefined> {
    const lease = await ignoreNotFound(this.http.request<LeaseObject>('GET', `${this.collection}/${encodeURIComponent(this.name)}`));
    return lease === undefined ? undefined : this.toStored(lease);
  }

  async create(record: LeaseRecord): Promise<StoredLease> {
    try {
      return this.toStored(await this.http.request<LeaseObject>('POST', this.collection, { body: this.body(record) }));
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 409) throw new LeaseConflict('lease created concurrently');
      throw error;
    }
  }

  async update(record: LeaseRecord, resourceVersion: string): Promise<StoredLease> {
    try {
      return this.toStored(
        await this.http.request<LeaseObject>('PUT', `${this.collection}/${encodeURIComponent(this.name)}`, { body: this.body(record, resourceVersion) }),
      );
    } catch (error) {
      if (isConflict(error)) throw new LeaseConflict('lease changed concurrently');
      throw error;
    }
  }
}
