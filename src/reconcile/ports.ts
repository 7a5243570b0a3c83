// The two ports the reconciler works through, in the model's and the API's types. The adapters
// (src/kubernetes, src/postgres) implement them; unit tests implement them with recording fakes.
import type { DatabaseUser, DatabaseUserStatus } from '../api/database-user.js';
import type { CredentialsSecretLookup, CredentialsWrite } from '../model/credentials.js';
import type { EventRecord } from '../model/event-record.js';
import type { LockedRole } from '../model/locked-role.js';
import type { RoleObservation } from '../model/observed.js';
import type { CandidatePassword, RoleTarget } from '../model/role-target.js';
import type { SecretContents } from '../model/secret-contents.js';

/** Reads come from watch caches (no request); writes go to the API server and update the caches. */
export interface KubernetesPort {
  user(key: string): DatabaseUser | undefined;
  /** The credentials Secret of that name, its seal verified (ADR 16). */
  credentialsSecret(namespace: string, name: string): CredentialsSecretLookup;
  /** A Secret a DatabaseUser points at; read from the API server only when it changed since last read. */
  secretContents(namespace: string, name: string): Promise<SecretContents | undefined>;
  /** Marks a connection Secret in use (its deletion then waits for its users); no request if it is already. */
  protectConnectionSecret(namespace: string, name: string): Promise<void>;
  /** Fails with 409 if the user changed since it was read; returns it as written. */
  setFinalizers(user: DatabaseUser, finalizers: string[]): Promise<DatabaseUser>;
  /** Writes the credentials Secret by server-side apply, sealed if the write says so; `force` takes over fields of a Secret that is ours. */
  writeCredentials(write: CredentialsWrite, force: boolean): Promise<void>;
  deleteSecret(namespace: string, name: string, uid: string): Promise<void>;
  /** Deletes this DatabaseUser (uid precondition: never a newer one of the same name). */
  deleteUser(namespace: string, name: string, uid: string): Promise<void>;
  /** Fails with 409 if the user changed since it was read. */
  writeStatus(user: DatabaseUser, status: DatabaseUserStatus): Promise<void>;
  /** Fire and forget: an Event that cannot be written is logged, never fails a reconcile. */
  recordEvent(event: EventRecord): void;
}

export interface PostgresPort {
  observe(target: RoleTarget, candidate: CandidatePassword | undefined): Promise<RoleObservation>;
  withRoleLock<T>(target: RoleTarget, body: (role: LockedRole) => Promise<T>): Promise<T>;
}
