import type { DatabaseUser, DatabaseUserStatus } from '../api/database-user.js';
import type { ClusterCache, CredentialsSecretLookup } from './cluster-cache.js';
import type { SecretManifest } from './credentials-secret.js';
import type { EventRecorder } from './event-recorder.js';
import type { CoreEvent, KubeResources } from './resources.js';
import type { SecretContents, SecretReader } from './secret-reader.js';

/**
 * What reconciles do with Kubernetes: read the watch caches, and write through the API server,
 * putting every response back into the cache so the next read sees the write at once.
 */
export class KubeAdapter {
  constructor(
    private readonly cache: ClusterCache,
    private readonly resources: KubeResources,
    private readonly secrets: SecretReader,
    private readonly events: EventRecorder,
  ) {}

  user(key: string): DatabaseUser | undefined {
    return this.cache.user(key);
  }

  credentialsSecret(namespace: string, name: string): CredentialsSecretLookup {
    return this.cache.credentialsSecret(namespace, name);
  }

  secretContents(namespace: string, name: string): Promise<SecretContents | undefined> {
    return this.secrets.contents(namespace, name);
  }

  async setFinalizers(user: DatabaseUser, finalizers: string[]): Promise<DatabaseUser> {
    const written = await this.resources.setFinalizers(user, finalizers);
    this.cache.rememberUser(written);
    return written;
  }

  async applySecret(manifest: SecretManifest, force: boolean): Promise<void> {
    this.cache.rememberCredentialsSecret(await this.resources.applySecret(manifest, force));
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

  recordEvent(event: CoreEvent): void {
    this.events.record(event);
  }
}
