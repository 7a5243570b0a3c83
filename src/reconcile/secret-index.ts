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
 *
 * Kept small, since it has an entry per user: a Secret with one user (every credentials Secret)
 * maps to that user's key, not to a Set of one; a connection Secret holds a count of its users; and
 * the key of a Secret many users share is one string, not one copy per user.
 */
export class SecretIndex {
  private readonly byUser = new Map<string, References>();
  private readonly bySecret = new Map<string, string | Set<string>>();
  private readonly connectionUsers = new Map<string, number>();
  /** The one copy of each shared Secret key (connection and password Secrets), while some user names it. */
  private readonly sharedKeys = new Map<string, string>();

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
    for (const secret of references.secrets) this.addUser(secret, userKey);
    if (references.connection) this.connectionUsers.set(references.connection, (this.connectionUsers.get(references.connection) ?? 0) + 1);
    return previous === references.connection ? undefined : previous;
  }

  /** Forgets the DatabaseUser; returns the connection Secret it named, if any. */
  remove(userKey: string): string | undefined {
    const references = this.byUser.get(userKey);
    if (references === undefined) return undefined;
    for (const secret of references.secrets) this.removeUser(secret, userKey);
    if (references.connection) {
      const left = (this.connectionUsers.get(references.connection) ?? 1) - 1;
      if (left > 0) this.connectionUsers.set(references.connection, left);
      else this.connectionUsers.delete(references.connection);
    }
    this.byUser.delete(userKey);
    return references.connection;
  }

  usersOf(secretKey: string): string[] {
    const users = this.bySecret.get(secretKey);
    if (users === undefined) return [];
    return typeof users === 'string' ? [users] : [...users];
  }

  /** Whether any DatabaseUser names this Secret as its connection. */
  isConnectionInUse(secretKey: string): boolean {
    return this.connectionUsers.has(secretKey);
  }

  private referencesOf(namespace: string, name: string, spec: unknown): References {
    const refs = (typeof spec === 'object' && spec !== null ? spec : {}) as SpecReferences;
    const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
    const secrets = [`${namespace}/${credentialsSecretName(name, { secretName: text(refs.secretName) })}`];
    const password = text(refs.passwordSecretRef?.name);
    if (password) secrets.push(this.shared(`${namespace}/${password}`));
    const named = text(refs.connection?.secretName);
    const connection = named === undefined ? undefined : this.shared(`${namespace}/${named}`);
    if (connection) secrets.push(connection);
    else if (this.defaultConnection) secrets.push(this.shared(`${this.defaultConnection.namespace}/${this.defaultConnection.name}`));
    return { secrets, connection };
  }

  private shared(key: string): string {
    const known = this.sharedKeys.get(key);
    if (known !== undefined) return known;
    this.sharedKeys.set(key, key);
    return key;
  }

  private addUser(secretKey: string, userKey: string): void {
    const users = this.bySecret.get(secretKey);
    if (users === undefined) this.bySecret.set(secretKey, userKey);
    else if (typeof users === 'string') {
      if (users !== userKey) this.bySecret.set(secretKey, new Set([users, userKey]));
    } else users.add(userKey);
  }

  private removeUser(secretKey: string, userKey: string): void {
    const users = this.bySecret.get(secretKey);
    if (typeof users === 'string') {
      if (users === userKey) this.bySecret.delete(secretKey);
    } else if (users !== undefined) {
      users.delete(userKey);
      if (users.size === 1) this.bySecret.set(secretKey, [...users][0] ?? '');
    }
    if (!this.bySecret.has(secretKey)) this.sharedKeys.delete(secretKey);
  }
}
