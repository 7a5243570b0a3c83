import type { DatabaseUser } from '../api/database-user.js';
import { databaseUserPath, secretPath } from './api-paths.js';
import { isNotFound } from './kube-api-error.js';
import type { KubeHttp } from './kube-http.js';
import type { KubeSecret, ObjectList } from './kube-objects.js';

/**
 * DatabaseUsers and Secrets of one namespace, acting as the person whose kubeconfig `http` carries:
 * the client of people's tools (the command line, the dashboard), never of the operator.
 */
export class DatabaseUserClient {
  constructor(
    readonly http: KubeHttp,
    readonly namespace: string,
    private readonly fieldManager: string,
  ) {}

  async listUsers(): Promise<DatabaseUser[]> {
    const users: DatabaseUser[] = [];
    let continueToken: string | undefined;
    do {
      const page: ObjectList<DatabaseUser> = await this.http.request<ObjectList<DatabaseUser>>('GET', databaseUserPath(this.namespace), {
        query: { limit: 500, continue: continueToken },
      });
      users.push(...(page.items ?? []));
      continueToken = page.metadata?.continue === '' ? undefined : page.metadata?.continue;
    } while (continueToken !== undefined);
    return users;
  }

  async getUser(name: string): Promise<DatabaseUser | undefined> {
    return this.orUndefined(this.http.request<DatabaseUser>('GET', databaseUserPath(this.namespace, name)));
  }

  async createUser(user: DatabaseUser): Promise<DatabaseUser> {
    return this.http.request<DatabaseUser>('POST', databaseUserPath(this.namespace), { query: { fieldManager: this.fieldManager }, body: user });
  }

  /** A JSON merge patch (null removes a field). */
  async patchUser(name: string, patch: object): Promise<DatabaseUser> {
    return this.http.request<DatabaseUser>('PATCH', databaseUserPath(this.namespace, name), {
      query: { fieldManager: this.fieldManager },
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  /** Deletes only the object with this uid (not one recreated under the same name meanwhile); gone already is fine. */
  async deleteUser(name: string, uid: string): Promise<void> {
    await this.orUndefined(this.http.request('DELETE', databaseUserPath(this.namespace, name), { body: { preconditions: { uid } } }));
  }

  async getSecret(name: string): Promise<KubeSecret | undefined> {
    return this.orUndefined(this.http.request<KubeSecret>('GET', secretPath(this.namespace, name)));
  }

  async createSecret(secret: KubeSecret): Promise<KubeSecret> {
    return this.http.request<KubeSecret>('POST', secretPath(this.namespace), { query: { fieldManager: this.fieldManager }, body: secret });
  }

  async patchSecret(name: string, patch: object): Promise<KubeSecret> {
    return this.http.request<KubeSecret>('PATCH', secretPath(this.namespace, name), {
      query: { fieldManager: this.fieldManager },
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  /** Deletes the Secret with this uid; gone already is fine. */
  async deleteSecret(name: string, uid: string): Promise<void> {
    await this.orUndefined(this.http.request('DELETE', secretPath(this.namespace, name), { body: { preconditions: { uid } } }));
  }

  /**
   * Follows one DatabaseUser (list, then watch from that list's resourceVersion) until `decide`
   * returns a value for it, or for its absence (undefined). No polling: every change is seen once.
   * Rejects with the signal's reason when it aborts (e.g. AbortSignal.timeout).
   */
  async awaitUser<T>(name: string, decide: (user: DatabaseUser | undefined) => T | undefined, signal: AbortSignal): Promise<T> {
    const fieldSelector = `metadata.name=${name}`;
    for (;;) {
      signal.throwIfAborted();
      const list = await this.http.request<ObjectList<DatabaseUser>>('GET', databaseUserPath(this.namespace), { query: { fieldSelector }, signal });
      const now = decide(list.items?.[0]);
      if (now !== undefined) return now;
      let decided: { value: T } | undefined;
      const stop = new AbortController();
      const watchSignal = AbortSignal.any([signal, stop.signal]);
      try {
        await this.http.watch<DatabaseUser>(
          databaseUserPath(this.namespace),
          { fieldSelector, resourceVersion: list.metadata?.resourceVersion, timeoutSeconds: 300 },
          (event) => {
            if (decided !== undefined || event.type === 'BOOKMARK') return;
            // ERROR is a metav1.Status, e.g. 410 Gone when the resourceVersion is too old: list again.
            if (event.type === 'ERROR') {
              stop.abort();
              return;
            }
            const value = decide(event.type === 'DELETED' ? undefined : event.object);
            if (value === undefined) return;
            decided = { value };
            stop.abort();
          },
          watchSignal,
        );
      } catch (error) {
        if (!watchSignal.aborted) throw error;
      }
      if (decided !== undefined) return decided.value;
    }
  }

  /**
   * Follows every DatabaseUser of the namespace: calls `onUsers` with all of them after the list and
   * after each watch event, listing again whenever the watch ends (timeout, 410 Gone). Resolves when
   * the signal aborts; rejects on a failed request, for the caller to report and retry.
   */
  async followUsers(onUsers: (users: DatabaseUser[]) => void, signal: AbortSignal): Promise<void> {
    const path = databaseUserPath(this.namespace);
    while (!signal.aborted) {
      const list = await this.http.request<ObjectList<DatabaseUser>>('GET', path, { signal });
      const users = new Map((list.items ?? []).map((user) => [user.metadata.name ?? '', user]));
      onUsers([...users.values()]);
      const stop = new AbortController();
      const watchSignal = AbortSignal.any([signal, stop.signal]);
      try {
        await this.http.watch<DatabaseUser>(
          path,
          { resourceVersion: list.metadata?.resourceVersion, timeoutSeconds: 300 },
          (event) => {
            if (event.type === 'BOOKMARK') return;
            if (event.type === 'ERROR') {
              stop.abort();
              return;
            }
            const name = event.object.metadata.name ?? '';
            if (event.type === 'DELETED') users.delete(name);
            else users.set(name, event.object);
            onUsers([...users.values()]);
          },
          watchSignal,
        );
      } catch (error) {
        if (!watchSignal.aborted) throw error;
      }
    }
  }

  private async orUndefined<T>(request: Promise<T>): Promise<T | undefined> {
    try {
      return await request;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
