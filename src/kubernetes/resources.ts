import { apiGroup, apiVersion, fieldManager, kind, plural } from '../api/names.js';
import type { DatabaseUser, DatabaseUserStatus } from '../api/database-user.js';
import type { SecretManifest } from '../reconcile/credentials-secret.js';
import { isNotFound, KubeApiError } from './kube-api-error.js';
import type { KubeHttp } from './kube-http.js';
import type { OwnWrites } from './own-writes.js';

export interface SecretObject {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
  };
  data?: Record<string, string>;
}

export interface CoreEvent {
  namespace: string;
  involved: { name: string; uid: string; resourceVersion?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

const customPath = (namespace: string, name?: string): string =>
  `/apis/${apiGroup}/${apiVersion}/namespaces/${encodeURIComponent(namespace)}/${plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;

const secretPath = (namespace: string, name?: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;

/** Collection paths for informers: one namespace, or all. */
export const databaseUsersPath = (namespace: string | undefined): string =>
  namespace === undefined ? `/apis/${apiGroup}/${apiVersion}/${plural}` : customPath(namespace);
export const secretsPath = (namespace: string | undefined): string => (namespace === undefined ? '/api/v1/secrets' : secretPath(namespace));

/** Every API call the operator makes, typed; the only module that knows the REST paths. */
export class KubeResources {
  constructor(
    readonly http: KubeHttp,
    private readonly ownWrites?: OwnWrites,
  ) {}

  async getDatabaseUser(namespace: string, name: string): Promise<DatabaseUser | undefined> {
    try {
      return await this.http.request<DatabaseUser>('GET', customPath(namespace, name));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getSecret(namespace: string, name: string): Promise<SecretObject | undefined> {
    try {
      return await this.http.request<SecretObject>('GET', secretPath(namespace, name));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Server-side apply: fields this manager set and no longer sends are removed (e.g. an owner reference). */
  async applySecret(manifest: SecretManifest): Promise<SecretObject> {
    const { namespace, name } = manifest.metadata;
    const key = `${namespace}/${name}`;
    this.ownWrites?.begin(key);
    let written: SecretObject | undefined;
    try {
      written = await this.http.request<SecretObject>('PATCH', secretPath(namespace, name), {
        query: { fieldManager, force: true },
        body: manifest,
        contentType: 'application/apply-patch+yaml',
      });
      return written;
    } finally {
      this.ownWrites?.end(key, written?.metadata?.resourceVersion);
    }
  }

  /** Deletes the Secret only if it is still the one observed (uid precondition); gone already is fine. */
  async deleteSecret(namespace: string, name: string, uid: string): Promise<void> {
    try {
      await this.http.request('DELETE', secretPath(namespace, name), { body: { preconditions: { uid } } });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * One JSON merge patch of the status subresource: the new status, with null for every field the
   * previous one had and the new one drops. (Cheaper for the API server than server-side apply,
   * which matters at thousands of users; the status has a single writer, this operator.)
   */
  async writeDatabaseUserStatus(namespace: string, name: string, status: DatabaseUserStatus, previous: DatabaseUserStatus | undefined): Promise<DatabaseUser> {
    const removed = Object.keys(previous ?? {}).filter((key) => !(key in status));
    return this.http.request<DatabaseUser>('PATCH', `${customPath(namespace, name)}/status`, {
      query: { fieldManager },
      body: { status: { ...Object.fromEntries(removed.map((key) => [key, null])), ...status } },
      contentType: 'application/merge-patch+json',
    });
  }

  /** Replaces the finalizer list, failing with 409 if the object changed since `resourceVersion`. */
  async setFinalizers(namespace: string, name: string, finalizers: string[], resourceVersion: string): Promise<DatabaseUser> {
    return this.http.request<DatabaseUser>('PATCH', customPath(namespace, name), {
      body: { metadata: { finalizers, resourceVersion } },
      contentType: 'application/merge-patch+json',
    });
  }

  async createEvent(event: CoreEvent): Promise<void> {
    const now = new Date().toISOString();
    await this.http.request('POST', `/api/v1/namespaces/${encodeURIComponent(event.namespace)}/events`, {
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${event.involved.name}.`, namespace: event.namespace },
        involvedObject: {
          apiVersion: `${apiGroup}/${apiVersion}`,
          kind,
          name: event.involved.name,
          namespace: event.namespace,
          uid: event.involved.uid,
          ...(event.involved.resourceVersion ? { resourceVersion: event.involved.resourceVersion } : {}),
        },
        type: event.type,
        reason: event.reason,
        message: event.message,
        source: { component: 'dbuser-operator' },
        reportingComponent: 'dbuser.dev/dbuser-operator',
        reportingInstance: process.env.HOSTNAME ?? 'dbuser-operator',
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }

  /** The uid of a namespace (kube-system's tells clusters apart); undefined if forbidden or absent. */
  async namespaceUid(name: string): Promise<string | undefined> {
    try {
      const namespace = await this.http.request<{ metadata?: { uid?: string } }>('GET', `/api/v1/namespaces/${encodeURIComponent(name)}`);
      return namespace.metadata?.uid;
    } catch (error) {
      if (error instanceof KubeApiError && (error.status === 403 || error.status === 404)) return undefined;
      throw error;
    }
  }
}
