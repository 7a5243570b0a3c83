import { credentialsSecretName } from '../api/database-user.js';
import type { SecretReference } from './connection-resolver.js';

/** Loosely read: the index is fed every DatabaseUser, valid or not. */
interface SpecReferences {
  secretName?: unknown;
  passwordSecretRef?: { name?: unknown };
  connection?: { secretName?: unknown };
}

interface References {
  /** Every Secret the user depends on (namespace/name). */
  secrets: string[];
  /** The connection Secret its spec names, if any (the operator's default is never named). */
  connection: string | undefined;
}

/**
 * Which DatabaseUsers depend on which Secrets (credentials, chosen password, connection), so a
 * Secret event enqueues exactly the users it concerns, and which connection Secrets are in use
 * (they carry the in-use finalizer). The watch reports Secret keys; this maps them.
 */
export class SecretIndex {
  private readonly byUser = new Map<string, References>();
  private readonly bySecret = new Map<string, Set<string>>();
  private readonly byConnection = new Map<string, Set<string>>();

  constructor(private readonly defaultConnection: SecretReference | undefined) {}

  /**
   * Records what the DatabaseUser `namespace/name` depends on. Returns the connection Secret it
   * named before if it names another one now (that one may no longer be in use).
   */
  set(namespace: string, name: string, spec: unknown): string | undefined {
    const userKey = `${namespace}/${name}`;
    const previous = this.remove(userKey);
    const references = this.referencesOf(namespace, name, spec);
    this.byUser.set(userKey, references);
    for (const secret of references.secrets) addTo(this.bySecret, secret, userKey);
    if (references.connection) addTo(this.byConnection, references.connection, userKey);
    return previous === references.connection ? undefined : previous;
  }

  /** Forgets the DatabaseUser; returns the connection Secret it named, if any. */
  remove(userKey: string): string | undefined {
    const references = this.byUser.get(userKey);
    if (references === undefined) return undefined;
    for (const secret of references.secrets) removeFrom(this.bySecret, secret, userKey);
    if (references.connection) removeFrom(this.byConnection, references.connection, userKey);
    this.byUser.delete(userKey);
    return references.connection;
  }

  usersOf(secretKey: string): string[] {
    return [...(this.bySecret.get(secretKey) ?? [])];
  }

  /** Whether any DatabaseUser names this Secret as its connection. */
  isConnectionInUse(secretKey: string): boolean {
    return this.byConnection.has(secretKey);
  }

  private referencesOf(namespace: string, name: string, spec: unknown): References {
    const refs = (typeof spec === 'object' && spec !== null ? spec : {}) as SpecReferences;
    const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
    const secrets = [`${namespace}/${credentialsSecretName(name, { secretName: text(refs.secretName) })}`];
    const password = text(refs.passwordSecretRef?.name);
    if (password) secrets.push(`${namespace}/${password}`);
    const named = text(refs.connection?.secretName);
    const connection = named === undefined ? undefined : `${namespace}/${named}`;
    if (connection) secrets.push(connection);
    else if (this.defaultConnection) secrets.push(`${this.defaultConnection.namespace}/${this.defaultConnection.name}`);
    return { secrets, connection };
  }
}

function addTo(map: Map<string, Set<string>>, key: string, member: string): void {
  let members = map.get(key);
  if (!members) {
    members = new Set();
    map.set(key, members);
  }
  members.add(member);
}

function removeFrom(map: Map<string, Set<string>>, key: string, member: string): void {
  const members = map.get(key);
  members?.delete(member);
  if (members?.size === 0) map.delete(key);
}
