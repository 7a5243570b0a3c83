import type { DatabaseUser } from '../api/database-user.js';
import type { Database } from '../api/database.js';
import { databases, databaseUsers } from '../api/names.js';
import { resourcePath, secrets } from '../kube/paths.js';
import { ignoreNotFound } from '../kube/api-error.js';
import { listAll, listWatch } from '../kube/list-watch.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeSecret } from '../kube/objects.js';

/**
 * DatabaseUsers, Databases and Secrets of one namespace, acting as the person whose kubeconfig `http` carries:
 * the client of people's tools (the command line, the dashboard), never of the operator.
 */
export class PersonClient {
  constructor(
    readonly http: KubeClient,
    readonly namespace: string,
    private readonly fieldManager: string,
  ) {}

  async listUsers(): Promise<DatabaseUser[]> {
    return (await listAll<DatabaseUser>(this.http, resourcePath(databaseUsers, this.namespace))).objects;
  }

  async listDatabases(): Promise<Database[]> {
    return (await listAll<Database>(this.http, resourcePath(databases, this.namespace))).objects;
  }

  async getDatabase(name: string): Promise<Database | undefined> {
    return ignoreNotFound(this.http.request<Database>('GET', resourcePath(databases, this.namespace, name)));
  }

  async getUser(name: string): Promise<DatabaseUser | undefined> {
    return ignoreNotFound(this.http.request<DatabaseUser>('GET', resourcePath(databaseUsers, this.namespace, name)));
  }

  async createUser(user: DatabaseUser): Promise<DatabaseUser> {
    return this.http.request<DatabaseUser>('POST', resourcePath(databaseUsers, this.namespace), { query: { fieldManager: this.fieldManager }, body: user });
  }

  /** A JSON merge patch (null removes a field). */
  async patchUser(name: string, patch: object): Promise<DatabaseUser> {
    return this.http.request<DatabaseUser>('PATCH', resourcePath(databaseUsers, this.namespace, name), {
      query: { fieldManager: this.fieldManager },
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  /** Deletes only the object with this uid (not one recreated under the same name meanwhile); gone already is fine. */
  async deleteUser(name: string, uid: string): Promise<void> {
    await ignoreNotFound(this.http.request('DELETE', resourcePath(databaseUsers, this.namespace, name), { body: { preconditions: { uid } } }));
  }

  async getSecret(name: string): Promise<KubeSecret | undefined> {
    return ignoreNotFound(this.http.request<KubeSecret>('GET', resourcePath(secrets, this.namespace, name)));
  }

  async createSecret(secret: KubeSecret): Promise<KubeSecret> {
    return this.http.request<KubeSecret>('POST', resourcePath(secrets, this.namespace), { query: { fieldManager: this.fieldManager }, body: secret });
  }

  async patchSecret(name: string, patch: object): Promise<KubeSecret> {
    return this.http.request<KubeSecret>('PATCH', resourcePath(secrets, this.namespace, name), {
      query: { fieldManager: this.fieldManager },
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  /** Deletes the Secret with this uid; gone already is fine. */
  async deleteSecret(name: string, uid: string): Promise<void> {
    await ignoreNotFound(this.http.request('DELETE', resourcePath(secrets, this.namespace, name), { body: { preconditions: { uid } } }));
  }

  /**
   * Follows one DatabaseUser (listWatch, by name) until `decide` returns a value for it, or for its
   * absence (undefined). No polling: every change is seen once. Rejects with the signal's reason when
   * it aborts (e.g. AbortSignal.timeout).
   */
  async awaitUser<T>(name: string, decide: (user: DatabaseUser | undefined) => T | undefined, signal: AbortSignal): Promise<T> {
    let decided: { value: T } | undefined;
    const stop = new AbortController();
    await listWatch<DatabaseUser>(
      this.http,
      resourcePath(databaseUsers, this.namespace),
      { fieldSelector: `metadata.name=${name}` },
      (update) => {
        if (decided !== undefined || update.kind === 'bookmark') return;
        const value = decide(update.kind === 'listed' ? update.objects[0] : update.kind === 'applied' ? update.object : undefined);
        if (value === undefined) return;
        decided = { value };
        stop.abort();
      },
      AbortSignal.any([signal, stop.signal]),
    );
    if (decided !== undefined) return decided.value;
    signal.throwIfAborted();
    throw new Error(`stopped following DatabaseUser "${name}"`);
  }

  /**
   * Follows every DatabaseUser of the namespace: calls `onUsers` with all of them after the list and
   * after each change. Resolves when the signal aborts; rejects on a failed request, for the caller
   * to report and retry.
   */
  async followUsers(onUsers: (users: DatabaseUser[]) => void, signal: AbortSignal): Promise<void> {
    await this.followAll<DatabaseUser>(resourcePath(databaseUsers, this.namespace), onUsers, signal);
  }

  /** Follows every Database of the namespace, as followUsers does its users. */
  async followDatabases(onDatabases: (databases: Database[]) => void, signal: AbortSignal): Promise<void> {
    await this.followAll<Database>(resourcePath(databases, this.namespace), onDatabases, signal);
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the objects' type, as with listWatch<T>()
  private async followAll<T extends { metadata: { name?: string } }>(path: string, onObjects: (objects: T[]) => void, signal: AbortSignal): Promise<void> {
    const objects = new Map<string, T>();
    await listWatch<T>(
      this.http,
      path,
      {},
      (update) => {
        if (update.kind === 'bookmark') return;
        if (update.kind === 'listed') {
          objects.clear();
          for (const object of update.objects) objects.set(object.metadata.name ?? '', object);
        } else if (update.kind === 'deleted') objects.delete(update.object.metadata.name ?? '');
        else objects.set(update.object.metadata.name ?? '', update.object);
        onObjects([...objects.values()]);
      },
      signal,
    );
  }
}
