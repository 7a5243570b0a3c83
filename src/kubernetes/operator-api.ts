import { apiGroup, apiVersion, databaseUsers, fieldManager, kind } from '../api/names.js';
import type { DatabaseUser, DatabaseUserStatus } from '../api/database-user.js';
import { events, namespaces, resourcePath, secrets } from '../kube/paths.js';
import type { SecretManifest } from './credentials-secret.js';
import { ignoreNotFound, KubeApiError } from '../kube/api-error.js';
import type { KubeClient, RequestOptions } from '../kube/kube-client.js';
import { listAll } from '../kube/list-watch.js';
import type { KubeSecret } from '../kube/objects.js';
import type { ResourceType } from '../kube/paths.js';
import type { EventRecord } from '../model/event-record.js';
import type { OwnWrites } from './own-writes.js';

/** An object of this API with a status: what the generic writes need of it. */
interface StatusObject {
  metadata: { namespace?: string; name?: string; resourceVersion?: string };
  status?: object;
}

/**
 * The operator's writes skip the API server's unknown- and duplicate-field detection: their bodies are
 * built from typed objects here, and nothing reads the warnings it would return.
 */
const fieldValidation = 'Ignore';

/** Every API call the operator makes, typed (kube/paths.ts spells the paths). */
export class OperatorApi {
  constructor(
    private readonly http: KubeClient,
    private readonly ownWrites: OwnWrites,
    /** Event.reportingInstance: which replica wrote it. */
    private readonly instance: string,
  ) {}

  getSecret(namespace: string, name: string): Promise<KubeSecret | undefined> {
    return ignoreNotFound(this.http.request<KubeSecret>('GET', resourcePath(secrets, namespace, name)));
  }

  async createSecret(namespace: string, secret: KubeSecret): Promise<KubeSecret> {
    return this.http.request<KubeSecret>('POST', resourcePath(secrets, namespace), { query: { fieldManager }, body: secret });
  }

  /**
   * Server-side apply: fields this manager set and no longer sends are removed (e.g. an owner
   * reference). Without `force`, a field another manager owns makes it fail with 409 instead of
   * taking the field over: how a Secret the operator did not write is left untouched.
   */
  async applySecret(manifest: SecretManifest, force: boolean): Promise<KubeSecret> {
    const { namespace, name } = manifest.metadata;
    return this.ownSecretPatch(namespace, name, {
      query: { fieldManager, force, fieldValidation },
      body: manifest,
      contentType: 'application/apply-patch+yaml',
    });
  }

  /**
   * Replaces a Secret's finalizer list, failing with 409 if it changed since `resourceVersion`. Its
   * watch event is recognised as the operator's own (no reconcile of the users that read it).
   */
  setSecretFinalizers(secret: { namespace: string; name: string; resourceVersion: string }, finalizers: string[]): Promise<KubeSecret> {
    return this.ownSecretPatch(secret.namespace, secret.name, {
      query: { fieldManager },
      body: { metadata: { finalizers, resourceVersion: secret.resourceVersion } },
      contentType: 'application/merge-patch+json',
    });
  }

  /** A PATCH of a Secret, announced to OwnWrites so that its watch event is known as ours. */
  private async ownSecretPatch(namespace: string, name: string, options: RequestOptions): Promise<KubeSecret> {
    const key = `${namespace}/${name}`;
    this.ownWrites.begin(key);
    let written: KubeSecret | undefined;
    try {
      written = await this.http.request<KubeSecret>('PATCH', resourcePath(secrets, namespace, name), options);
      return written;
    } finally {
      this.ownWrites.end(key, written?.metadata?.resourceVersion);
    }
  }

  /** Deletes the Secret only if it is still the one observed (uid precondition); gone already is fine. */
  async deleteSecret(namespace: string, name: string, uid: string): Promise<void> {
    await ignoreNotFound(this.http.request('DELETE', resourcePath(secrets, namespace, name), { body: { preconditions: { uid } } }));
  }

  /**
   * One JSON merge patch of the status subresource: the new status, with null for every field the
   * previous one had and the new one drops. It fails with 409 unless the object is still at
   * `resourceVersion`: the status was computed from that version. (Cheaper for the API server than
   * server-side apply, which matters at thousands of users; the status has a single writer.)
   */
  async writeStatus<T extends StatusObject>(type: ResourceType, object: T, status: NonNullable<T['status']>): Promise<T> {
    const { namespace, name = '', resourceVersion } = object.metadata;
    const removed = Object.keys(object.status ?? {}).filter((key) => !(key in status));
    return this.http.request<T>('PATCH', resourcePath(type, namespace, name, 'status'), {
      query: { fieldManager, fieldValidation },
      body: { metadata: { resourceVersion }, status: { ...Object.fromEntries(removed.map((key) => [key, null])), ...status } },
      contentType: 'application/merge-patch+json',
    });
  }

  writeDatabaseUserStatus(user: DatabaseUser, status: DatabaseUserStatus): Promise<DatabaseUser> {
    return this.writeStatus(databaseUsers, user, status);
  }

  /**
   * Whether any DatabaseUser of the namespace, in whichever shard (ADR 25), names this connection
   * Secret: one uncached list, asked only before its in-use finalizer goes.
   */
  async anyUserNamesConnection(namespace: string, secretName: string): Promise<boolean> {
    const { objects } = await listAll<DatabaseUser>(this.http, resourcePath(databaseUsers, namespace));
    return objects.some((user) => (user.spec as { connection?: { secretName?: unknown } } | undefined)?.connection?.secretName === secretName);
  }

  /** Deletes the DatabaseUser only if it is still the one observed (uid precondition); gone already is fine. */
  async deleteDatabaseUser(namespace: string, name: string, uid: string): Promise<void> {
    await ignoreNotFound(this.http.request('DELETE', resourcePath(databaseUsers, namespace, name), { body: { preconditions: { uid } } }));
  }

  /** Replaces the finalizer list of any of the operator's objects, failing with 409 if it changed since it was read. */
  async setObjectFinalizers<T extends StatusObject>(type: ResourceType, object: T, finalizers: string[]): Promise<T> {
    const { namespace, name = '', resourceVersion } = object.metadata;
    return this.http.request<T>('PATCH', resourcePath(type, namespace, name), {
      query: { fieldValidation },
      body: { metadata: { finalizers, resourceVersion } },
      contentType: 'application/merge-patch+json',
    });
  }

  setFinalizers(user: DatabaseUser, finalizers: string[]): Promise<DatabaseUser> {
    return this.setObjectFinalizers(databaseUsers, user, finalizers);
  }

  /**
   * A Database's default user by server-side apply: the operator owns the fields it sets. Without
   * `force`, a field another manager owns fails with 409 instead of being taken over.
   */
  applyDatabaseUser(manifest: DatabaseUser, force: boolean): Promise<DatabaseUser> {
    const { namespace, name = '' } = manifest.metadata;
    return this.http.request<DatabaseUser>('PATCH', resourcePath(databaseUsers, namespace, name), {
      query: { fieldManager, force },
      body: manifest,
      contentType: 'application/apply-patch+yaml',
    });
  }

  async createEvent(event: EventRecord): Promise<void> {
    const now = new Date().toISOString();
    await this.http.request('POST', resourcePath(events, event.namespace), {
      query: { fieldValidation },
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${event.involved.name}.`, namespace: event.namespace },
        involvedObject: {
          apiVersion: `${apiGroup}/${apiVersion}`,
          kind: event.involved.kind ?? kind,
          name: event.involved.name,
          // A DatabaseServer is cluster-scoped: no namespace here, and its Events live in "default".
          ...(event.involved.kind === 'DatabaseServer' ? {} : { namespace: event.namespace }),
          uid: event.involved.uid,
          ...(event.involved.resourceVersion ? { resourceVersion: event.involved.resourceVersion } : {}),
        },
        type: event.type,
        reason: event.reason,
        message: event.message,
        source: { component: 'dbuser-operator' },
        reportingComponent: 'dbuser.dev/dbuser-operator',
        reportingInstance: this.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }

  /** Who this client is to the API server (SelfSubjectReview, allowed to every authenticated user). */
  async ownUsername(): Promise<string | undefined> {
    const review = await this.http.request<{ status?: { userInfo?: { username?: string } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    return review.status?.userInfo?.username;
  }

  /** The uid of a namespace (kube-system's tells clusters apart); undefined if forbidden or absent. */
  async namespaceUid(name: string): Promise<string | undefined> {
    try {
      const namespace = await this.http.request<{ metadata?: { uid?: string } }>('GET', resourcePath(namespaces, undefined, name));
      return namespace.metadata?.uid;
    } catch (error) {
      if (error instanceof KubeApiError && (error.status === 403 || error.status === 404)) return undefined;
      throw error;
    }
  }
}
