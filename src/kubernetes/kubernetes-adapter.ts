import type { DatabaseUser, DatabaseUserStatus } from '../api/database-user.js';
import { connectionInUseFinalizer } from '../api/names.js';
import { isNotFound } from '../kube/api-error.js';
import type { CredentialsSeal } from '../model/credentials-seal.js';
import type { CredentialsSecretLookup, CredentialsWrite } from '../model/credentials.js';
import type { EventRecord } from '../model/event-record.js';
import type { SecretContents } from '../model/secret-contents.js';
import type { KubernetesPort } from '../reconcile/ports.js';
import type { ClusterCache } from './cluster-cache.js';
import { credentialsSecretManifest, verifiedCredentialsSecret } from './credentials-secret.js';
import type { EventRecorder } from './event-recorder.js';
import type { OperatorApi } from './operator-api.js';
import type { SecretReader } from './secret-reader.js';

/**
 * The reconciler's KubernetesPort: reads come from the watch caches, writes go through the API server
 * and put every response back into the cache so the next read sees the write at once. Credentials
 * Secrets are sealed as they are written, and their seals verified as they are read (ADR 16).
 */
export class KubernetesAdapter implements KubernetesPort {
  /** Finalizer writes in flight by Secret key: workers protecting the same Secret at once share one. */
  private readonly protecting = new Map<string, Promise<void>>();

  constructor(
    private readonly cache: ClusterCache,
    private readonly resources: OperatorApi,
    private readonly secrets: SecretReader,
    private readonly events: EventRecorder,
    private readonly seal: CredentialsSeal,
  ) {}

  user(key: string): DatabaseUser | undefined {
    return this.cache.user(key);
  }

  credentialsSecret(namespace: string, name: string): CredentialsSecretLookup {
    const cached = this.cache.credentialsSecret(namespace, name);
    return cached.kind === 'managed' ? { kind: 'managed', secret: verifiedCredentialsSecret(cached.secret, this.seal) } : cached;
  }

  secretContents(namespace: string, name: string): Promise<SecretContents | undefined> {
    return this.secrets.contents(namespace, name);
  }

  /**
   * Adds the in-use finalizer to a connection Secret that lacks it: no request when it has it, and
   * none possible once the Secret is being deleted (the API server accepts no new finalizer then).
   */
  protectConnectionSecret(namespace: string, name: string): Promise<void> {
    const key = `${namespace}/${name}`;
    const secret = this.cache.otherSecret(namespace, name)?.metadata;
    if (secret === undefined || secret.deletionTimestamp !== undefined || secret.finalizers?.includes(connectionInUseFinalizer)) return Promise.resolve();
    let pending = this.protecting.get(key);
    if (pending === undefined) {
      pending = this.writeSecretFinalizers(secret, [...(secret.finalizers ?? []), connectionInUseFinalizer]).finally(() => this.protecting.delete(key));
      this.protecting.set(key, pending);
    }
    return pending;
  }

  /** Removes the in-use finalizer from a connection Secret, if it has it. */
  async releaseConnectionSecret(namespace: string, name: string): Promise<void> {
    const secret = this.cache.otherSecret(namespace, name)?.metadata;
    if (!secret?.finalizers?.includes(connectionInUseFinalizer)) return;
    await this.writeSecretFinalizers(
      secret,
      secret.finalizers.filter((finalizer) => finalizer !== connectionInUseFinalizer),
    );
  }

  private async writeSecretFinalizers(secret: { namespace: string; name: string; resourceVersion: string }, finalizers: string[]): Promise<void> {
    let written;
    try {
      written = await this.resources.setSecretFinalizers(secret, finalizers);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    this.cache.rememberOtherSecret(written);
    this.secrets.remember(written);
  }

  async setFinalizers(user: DatabaseUser, finalizers: string[]): Promise<DatabaseUser> {
    const written = await this.resources.setFinalizers(user, finalizers);
    this.cache.rememberUser(written);
    return written;
  }

  async writeCredentials(write: CredentialsWrite, force: boolean): Promise<void> {
    this.cache.rememberCredentialsSecret(await this.resources.applySecret(credentialsSecretManifest(write, this.seal), force));
  }

  deleteSecret(namespace: string, name: string, uid: string): Promise<void> {
    return this.resources.deleteSecret(namespace, name, uid);
  }

  deleteUser(namespace: string, name: string, uid: string): Promise<void> {
    return this.resources.deleteDatabaseUser(namespace, name, uid);
  }

  async writeStatus(user: DatabaseUser, status: DatabaseUserStatus): Promise<void> {
    this.cache.rememberUser(await this.resources.writeDatabaseUserStatus(user, status));
  }

  recordEvent(event: EventRecord): void {
    this.events.record(event);
  }
}
