// Recording fakes of the reconciler's two ports, in the spirit of sample-controller's recorded
// actions: each keeps a small in-memory world, applies writes to it, and logs every write, in
// order, to one journal shared by both, so a test can say "the Secret before the role".
import type { DatabaseServer } from '../../../src/api/database-server.js';
import type { DatabaseUser, DatabaseUserStatus } from '../../../src/api/database-user.js';
import type { Database } from '../../../src/api/database.js';
import { passwordSourceLabel } from '../../../src/api/names.js';
import { KubeApiError } from '../../../src/kube/api-error.js';
import { credentialsSecretManifest, projectCredentialsSecret, verifiedCredentialsSecret } from '../../../src/kubernetes/credentials-secret.js';
import { CredentialsSeal } from '../../../src/model/credentials-seal.js';
import type { CredentialsSecret, CredentialsSecretLookup, CredentialsWrite } from '../../../src/model/credentials.js';
import type { EventRecord } from '../../../src/model/event-record.js';
import { groupRoleName } from '../../../src/model/group-roles.js';
import type { LockedRole } from '../../../src/model/locked-role.js';
import type { ObservedDatabase, ObservedRole, ObservedServer, RoleObservation } from '../../../src/model/observed.js';
import { formatMarker, groupRoleComment } from '../../../src/model/ownership-marker.js';
import type { PasswordEncryption } from '../../../src/model/password-encryption.js';
import { desiredAttributes } from '../../../src/model/plan.js';
import type { RoleAction } from '../../../src/model/role-actions.js';
import type { CandidatePassword, RoleTarget } from '../../../src/model/role-target.js';
import type { SecretContents } from '../../../src/model/secret-contents.js';
import type { KubernetesPort, PostgresPort } from '../../../src/reconcile/ports.js';

export type Journal = string[];

/** A Secret people point DatabaseUsers at, as the operator reads it. */
export function referencedSecret(resourceVersion: string, data: Record<string, string>, labels: Record<string, string> = {}): SecretContents {
  return { resourceVersion, data, type: 'Opaque', labels, finalizers: [] };
}

/** A chosen-password Secret that opted in as a password source. */
export function passwordSource(resourceVersion: string, data: Record<string, string>): SecretContents {
  return referencedSecret(resourceVersion, data, { [passwordSourceLabel]: 'true' });
}

/** The seal key of the unit tests. */
export const testSeal = new CredentialsSeal(Buffer.alloc(32, 7));

/** A credentials Secret as the operator reads it back after writing `write`: manifest, projection, seal verified. */
export function storedCredentialsSecret(write: CredentialsWrite, metadata: { uid: string; resourceVersion: string }): CredentialsSecret {
  const manifest = credentialsSecretManifest(write, testSeal);
  return verifiedCredentialsSecret(projectCredentialsSecret({ metadata: { ...manifest.metadata, ...metadata }, data: manifest.data }), testSeal);
}

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

/** The API server and the watch caches as one: reads are free, writes are journaled. */
export class RecordingKubernetes implements KubernetesPort {
  readonly users = new Map<string, DatabaseUser>();
  readonly credentials = new Map<string, CredentialsSecret | 'unmanaged'>();
  readonly referencedSecrets = new Map<string, SecretContents>();
  readonly events: EventRecord[] = [];
  /** Databases and DatabaseServers by namespace/name and name, and namespaces' labels. */
  readonly databases = new Map<string, Database>();
  readonly servers = new Map<string, DatabaseServer>();
  readonly namespaceLabelsByName = new Map<string, Record<string, string>>();
  /** Connection Secrets carrying the in-use finalizer. */
  readonly protectedConnections = new Set<string>();
  /** When set, the next credentials write answers only once it settles (and fails if it rejects), journaling when it did. */
  nextCredentialsWrite: Promise<void> | undefined;
  /** Reads of referenced Secrets (the only reads that may reach the API server). */
  secretReads = 0;
  private version = 100;

  constructor(private readonly journal: Journal) {}

  addUser(user: DatabaseUser): string {
    const { namespace = '', name = '' } = user.metadata;
    this.users.set(keyOf(namespace, name), { ...user, metadata: { ...user.metadata, resourceVersion: this.nextVersion() } });
    return keyOf(namespace, name);
  }

  /** A change by someone else (kubectl): a new resourceVersion, as the API server would give. */
  editUser(key: string, edit: (user: DatabaseUser) => DatabaseUser): void {
    const edited = edit(structuredClone(this.stored(key)));
    this.users.set(key, { ...edited, metadata: { ...edited.metadata, resourceVersion: this.nextVersion() } });
  }

  user(key: string): DatabaseUser | undefined {
    const user = this.users.get(key);
    return user === undefined ? undefined : structuredClone(user);
  }

  database(namespace: string, name: string): Database | undefined {
    return this.databases.get(keyOf(namespace, name));
  }

  databaseServer(name: string): DatabaseServer | undefined {
    return this.servers.get(name);
  }

  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined {
    return this.namespaceLabelsByName.get(name);
  }

  usersOfDatabase(namespace: string, database: string): DatabaseUser[] {
    return [...this.users.values()].filter(
      (user) => user.metadata.namespace === namespace && (user.spec as { databaseRef?: { name?: string } } | undefined)?.databaseRef?.name === database,
    );
  }

  credentialsSecret(namespace: string, name: string): CredentialsSecretLookup {
    const secret = this.credentials.get(keyOf(namespace, name));
    if (secret === undefined) return { kind: 'absent' };
    return secret === 'unmanaged' ? { kind: 'unmanaged' } : { kind: 'managed', secret };
  }

  /** The password the credentials Secret holds now. */
  storedPassword(namespace: string, name: string): string | undefined {
    const secret = this.credentials.get(keyOf(namespace, name));
    return secret === undefined || secret === 'unmanaged' ? undefined : secret.credentials?.password;
  }

  secretContents(namespace: string, name: string): Promise<SecretContents | undefined> {
    this.secretReads += 1;
    return Promise.resolve(this.referencedSecrets.get(keyOf(namespace, name)));
  }

  protectConnectionSecret(namespace: string, name: string): Promise<void> {
    const key = keyOf(namespace, name);
    if (!this.protectedConnections.has(key)) {
      this.journal.push(`kubernetes: connection Secret ${name} in use`);
      this.protectedConnections.add(key);
    }
    return Promise.resolve();
  }

  setFinalizers(user: DatabaseUser, finalizers: string[]): Promise<DatabaseUser> {
    const key = this.checkVersion(user);
    this.journal.push(`kubernetes: finalizers [${finalizers.join(', ')}]`);
    if (finalizers.length === 0 && user.metadata.deletionTimestamp !== undefined) {
      this.users.delete(key);
      return Promise.resolve(user);
    }
    return Promise.resolve(this.store(key, { ...this.stored(key), metadata: { ...this.stored(key).metadata, finalizers } }));
  }

  /** The adapter's pipeline without the API server: the sealed manifest, projected and verified as the cache would. */
  async writeCredentials(write: CredentialsWrite, force: boolean): Promise<void> {
    const { namespace, name } = write;
    this.journal.push(`kubernetes: apply Secret ${name}${force ? ' (force)' : ''}`);
    const held = this.nextCredentialsWrite;
    this.nextCredentialsWrite = undefined;
    if (held) {
      await held;
      this.journal.push(`kubernetes: Secret ${name} applied`);
    }
    const previous = this.credentials.get(keyOf(namespace, name));
    const uid = previous !== undefined && previous !== 'unmanaged' ? previous.metadata.uid : `secret-uid-${name}`;
    this.credentials.set(keyOf(namespace, name), storedCredentialsSecret(write, { uid, resourceVersion: this.nextVersion() }));
  }

  deleteSecret(namespace: string, name: string): Promise<void> {
    this.journal.push(`kubernetes: delete Secret ${name}`);
    this.credentials.delete(keyOf(namespace, name));
    return Promise.resolve();
  }

  deleteUser(namespace: string, name: string, uid: string): Promise<void> {
    this.journal.push(`kubernetes: delete DatabaseUser ${name}`);
    const key = keyOf(namespace, name);
    if (this.users.get(key)?.metadata.uid === uid) this.users.delete(key);
    return Promise.resolve();
  }

  writeStatus(user: DatabaseUser, status: DatabaseUserStatus): Promise<void> {
    const key = this.checkVersion(user);
    const ready = status.conditions?.find((condition) => condition.type === 'Ready');
    this.journal.push(`kubernetes: status Ready=${ready?.status ?? '?'} ${ready?.reason ?? ''}`.trim());
    this.store(key, { ...this.stored(key), status });
    return Promise.resolve();
  }

  recordEvent(event: EventRecord): void {
    this.journal.push(`event: ${event.type} ${event.reason}`);
    this.events.push(event);
  }

  private stored(key: string): DatabaseUser {
    const user = this.users.get(key);
    if (user === undefined) throw new KubeApiError(404, 'NotFound', `${key} not found`, 'PUT', key);
    return user;
  }

  /** Writes carry the resourceVersion they were read at; a stale one is a 409, as on the API server. */
  private checkVersion(user: DatabaseUser): string {
    const key = keyOf(user.metadata.namespace ?? '', user.metadata.name ?? '');
    if (this.stored(key).metadata.resourceVersion !== user.metadata.resourceVersion) {
      throw new KubeApiError(409, 'Conflict', 'the object has been modified', 'PUT', key);
    }
    return key;
  }

  private store(key: string, user: DatabaseUser): DatabaseUser {
    const written = { ...user, metadata: { ...user.metadata, resourceVersion: this.nextVersion() } };
    this.users.set(key, written);
    return structuredClone(written);
  }

  private nextVersion(): string {
    this.version += 1;
    return String(this.version);
  }
}

export interface FakeRole extends ObservedRole {
  /** `verifier`: the one the action carried, when it was prepared beforehand (ADR 28). */
  password: { value: string; encryption: PasswordEncryption; verifier?: string | undefined } | undefined;
}

/** One database on one PostgreSQL server; actions change it as the real statements would. */
export class RecordingPostgres implements PostgresPort {
  readonly database: ObservedDatabase;
  /** The connection's own role and whether it is a superuser. */
  server: ObservedServer = { adminUsername: 'postgres', adminIsSuperuser: true };
  readonly roles = new Map<string, FakeRole>();
  /** Thrown by the next observe(), once (e.g. a PostgresError). */
  failNextObserve: Error | undefined;

  constructor(
    private readonly journal: Journal,
    databaseName = 'shop',
  ) {
    const missing = { exists: false, comment: null, privilegesComplete: false };
    this.database = { name: databaseName, owner: `${databaseName}_owner`, groups: { readonly: { ...missing }, readwrite: { ...missing } } };
  }

  /** A role someone else created, without our marker. */
  addForeignRole(username: string, password: string): void {
    this.roles.set(username, {
      attributes: { ...desiredAttributes },
      comment: null,
      memberOf: [],
      defaultPrivileges: 'none',
      ownsObjects: false,
      adminActsAs: true,
      password: { value: password, encryption: 'SCRAM-SHA-256' },
    });
  }

  /** A stand-in verifier that names its inputs; the real one is tested against PostgreSQL. */
  prepareVerifier(password: string, username: string, encryption: PasswordEncryption): Promise<string> {
    return Promise.resolve(`verifier(${encryption}, ${username}, ${password})`);
  }

  observe(target: RoleTarget, candidate: CandidatePassword | undefined): Promise<RoleObservation> {
    const failure = this.failNextObserve;
    this.failNextObserve = undefined;
    if (failure) return Promise.reject(failure);
    return Promise.resolve(this.observation(target.username, candidate));
  }

  async withRoleLock<T>(target: RoleTarget, body: (role: LockedRole) => Promise<T>): Promise<T> {
    this.journal.push(`postgres: lock ${target.username}`);
    const locked: LockedRole = {
      observe: (candidate) => Promise.resolve(this.observation(target.username, candidate)),
      lockGroups: () => {
        this.journal.push(`postgres: lock database ${target.database}`);
        return Promise.resolve();
      },
      execute: (actions) => {
        this.journal.push(`postgres: ${actions.map((action) => action.kind).join(', ')}`);
        for (const action of actions) this.apply(action);
        return Promise.resolve();
      },
      drop: () => {
        this.journal.push(`postgres: drop ${target.username}`);
        this.roles.delete(target.username);
        return Promise.resolve();
      },
    };
    try {
      return await body(locked);
    } finally {
      this.journal.push(`postgres: unlock ${target.username}`);
    }
  }

  /** Whether `password` would log in as `username`. */
  logsIn(username: string, password: string): boolean {
    return this.roles.get(username)?.password?.value === password;
  }

  private observation(username: string, candidate: CandidatePassword | undefined): RoleObservation {
    const role = this.roles.get(username);
    const { password, ...observedRole } = role ?? { password: undefined };
    return {
      server: { ...this.server },
      database: structuredClone(this.database),
      role: role === undefined ? undefined : (structuredClone(observedRole) as ObservedRole),
      password: { matches: this.verdict(password, candidate), encryption: password?.encryption },
    };
  }

  private verdict(stored: FakeRole['password'], candidate: CandidatePassword | undefined): boolean | undefined {
    if (stored === undefined) return false;
    return candidate === undefined ? undefined : stored.value === candidate.value;
  }

  private apply(action: RoleAction): void {
    const role = (username: string): FakeRole => {
      const found = this.roles.get(username);
      if (found === undefined) throw new Error(`role "${username}" does not exist`);
      return found;
    };
    switch (action.kind) {
      case 'createGroup':
        this.database.groups[action.access] = { exists: true, comment: groupRoleComment, privilegesComplete: false };
        return;
      case 'grantGroupPrivileges':
        this.database.groups[action.access].privilegesComplete = true;
        return;
      case 'createRole':
        if (this.roles.has(action.username)) throw new Error(`role "${action.username}" already exists`);
        this.roles.set(action.username, {
          attributes: { ...desiredAttributes },
          comment: formatMarker(action.marker),
          memberOf: [],
          defaultPrivileges: 'none',
          ownsObjects: false,
          adminActsAs: true,
          password: { value: action.password, encryption: action.encryption, verifier: action.verifier },
        });
        return;
      case 'setPassword':
        role(action.username).password = { value: action.password, encryption: action.encryption, verifier: action.verifier };
        return;
      case 'alterAttributes':
        Object.assign(role(action.username).attributes, action.changes);
        return;
      case 'setMarker':
        role(action.username).comment = formatMarker(action.marker);
        return;
      case 'grantMembership':
        role(action.username).memberOf.push(action.group);
        return;
      case 'revokeMembership':
        role(action.username).memberOf = role(action.username).memberOf.filter((group) => group !== action.group);
        return;
      case 'grantDefaultPrivileges':
        role(action.username).defaultPrivileges = 'complete';
        return;
      case 'revokeDefaultPrivileges':
        role(action.username).defaultPrivileges = 'none';
        return;
      case 'reassignOwned':
        role(action.username).ownsObjects = false;
        return;
      case 'holdRole':
        role(action.username).adminActsAs = true;
        return;
    }
  }

  /** The group the user's role is a member of, by access. */
  groupOf(readOnly: boolean): string {
    return groupRoleName(readOnly ? 'readonly' : 'readwrite', this.database.name);
  }
}
