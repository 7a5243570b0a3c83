// The two ports the reconciler works through. The adapters (src/kubernetes, src/postgres) implement
// them; unit tests implement them with recording fakes.
import type { DatabaseUser, DatabaseUserStatus } from '../api/database-user.js';
import type { CredentialsSecretLookup } from '../kubernetes/cluster-cache.js';
import type { SecretManifest } from '../kubernetes/credentials-secret.js';
import type { CoreEvent } from '../kubernetes/resources.js';
import type { SecretContents } from '../kubernetes/secret-reader.js';
import type { RoleObservation } from '../model/observed.js';
import type { LockedRole } from '../postgres/postgres-roles.js';
import type { CandidatePassword } from '../postgres/role-observer.js';
import type { RoleTarget } from '../postgres/role-target.js';

/** Reads come from watch caches (no request); writes go to the API server and update the caches. */
export interface KubernetesPort {
  user(key: string): DatabaseUser | undefined;
  credentialsSecret(namespace: string, name: string): CredentialsSecretLookup;
  /** A Secret a DatabaseUser points at; read from the API server only when it changed since last read. */
  secretContents(namespace: string, name: string): Promise<SecretContents | undefined>;
  /** Fails with 409 if the user changed since it was read; returns it as written. */
  setFinalizers(user: DatabaseUser, finalizers: string[]): Promise<DatabaseUser>;
  applySecret(manifest: SecretManifest, force: boolean): Promise<void>;
  deleteSecret(namespace: string, name: string, uid: string): Promise<void>;
  /** Deletes this DatabaseUser (uid precondition: never a newer one of the same name). */
  deleteUser(namespace: string, name: string, uid: string): Promise<void>;
  /** Fails with 409 if the user changed since it was read. */
  writeStatus(user: DatabaseUser, status: DatabaseUserStatus): Promise<void>;
  /** Fire and forget: an Event that cannot be written is logged, never fails a reconcile. */
  recordEvent(event: CoreEvent): void;
}

export interface PostgresPort {
  observe(target: RoleTarget, candidate: CandidatePassword | undefined): Promise<RoleObservation>;
  withRoleLock<T>(target: RoleTarget, body: (role: LockedRole) => Promise<T>): Promise<T>;
}
