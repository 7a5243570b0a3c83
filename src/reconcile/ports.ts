// The two ports the reconciler works through, in the model's and the API's types. The adapters
// (src/kubernetes, src/postgres) implement them; unit tests implement them with recording fakes.
import type { ConnectionSettings } from '../api/connection.js';
import type { DatabaseServer, DatabaseServerStatus } from '../api/database-server.js';
import type { DatabaseUser, DatabaseUserStatus } from '../api/database-user.js';
import type { Database, DatabaseStatus } from '../api/database.js';
import type { DesiredDatabase, LockedDatabase } from '../model/database-plan.js';
import type { CredentialsSecretLookup, CredentialsWrite } from '../model/credentials.js';
import type { EventRecord } from '../model/event-record.js';
import type { LockedRole } from '../model/locked-role.js';
import type { RoleObservation } from '../model/observed.js';
import type { PasswordEncryption } from '../model/password-encryption.js';
import type { CandidatePassword, RoleTarget } from '../model/role-target.js';
import type { SecretContents } from '../model/secret-contents.js';

/** Reads come from watch caches (no request); writes go to the API server and update the caches. */
export interface KubernetesPort {
  user(key: string): DatabaseUser | undefined;
  /** The Databases, DatabaseServers and namespaces a user's placement is decided from (DESIGN §13). */
  database(namespace: string, name: string): Database | undefined;
  databaseServer(name: string): DatabaseServer | undefined;
  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined;
  /** The DatabaseUsers of one Database (spec.databaseRef), its default user included. */
  usersOfDatabase(namespace: string, database: string): DatabaseUser[];
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
  /** What PostgreSQL will store for this password (computed here; the plaintext never reaches the server). */
  prepareVerifier(password: string, username: string, encryption: PasswordEncryption): Promise<string>;
  withRoleLock<T>(target: RoleTarget, body: (role: LockedRole) => Promise<T>): Promise<T>;
}

/** A server's databases and their owner roles (DESIGN §13). */
export interface DatabasePort {
  /** The server's version, read with its admin credentials (which it thereby proves). */
  serverVersion(connection: ConnectionSettings): Promise<string>;
  /** Runs `body` while holding the database's lock on the server's maintenance database. */
  withDatabaseLock<T>(connection: ConnectionSettings, desired: DesiredDatabase, body: (database: LockedDatabase) => Promise<T>): Promise<T>;
}

/** What the Database and DatabaseServer reconcilers do with Kubernetes: reads from the caches, writes through the API server. */
export interface PlatformPort {
  database(namespace: string, name: string): Database | undefined;
  databases(): Database[];
  databaseServer(name: string): DatabaseServer | undefined;
  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined;
  user(key: string): DatabaseUser | undefined;
  usersOfDatabase(namespace: string, database: string): DatabaseUser[];
  /** Fails with 409 if the Database changed since it was read; returns it as written. */
  setDatabaseFinalizers(database: Database, finalizers: string[]): Promise<Database>;
  writeDatabaseStatus(database: Database, status: DatabaseStatus): Promise<void>;
  /** Writes a Database's default user by server-side apply; `force` takes over fields of one that is the Database's. */
  applyDefaultUser(user: DatabaseUser, force: boolean): Promise<void>;
  /** Deletes this DatabaseUser (uid precondition). */
  deleteUser(namespace: string, name: string, uid: string): Promise<void>;
  /** Marks a DatabaseServer in use (its deletion then waits for its Databases); no request if it is already. */
  protectServer(name: string): Promise<void>;
  setServerFinalizers(server: DatabaseServer, finalizers: string[]): Promise<DatabaseServer>;
  writeServerStatus(server: DatabaseServer, status: DatabaseServerStatus): Promise<void>;
  recordEvent(event: EventRecord): void;
}
