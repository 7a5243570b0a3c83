import { credentialsSecretName } from '../api/database-user.js';
import type { SecretReference } from './connection-resolver.js';

/** Loosely read: the index is fed every DatabaseUser, valid or not. */
interface SpecReferences {
  secretName?: unknown;
  passwordSecretRef?: { name?: unknown };
  connection?: { secretName?: unknown };
}

/**
 * Which DatabaseUsers depend on which Secrets (credentials, chosen password, connection), so a
 * Secret event enqueues exactly the users it concerns. The watch reports Secret keys; this maps them.
 */
export class SecretIndex {
  private readonly byUser = new Map<string, string[]>();
  private readonly bySecret = new Map<string, Set<string>>();

  constructor(private readonly defaultConnection: SecretReference | undefined) {}

  /** The namespace/name keys of the Secrets a DatabaseUser depends on. */
  secretsOf(namespace: string, name: string, spec: unknown): string[] {
    const refs = (typeof spec === 'object' && spec !== null ? spec : {}) as SpecReferences;
    const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
    const keys = [`${namespace}/${credentialsSecretName(name, { secretName: text(refs.secretName) })}`];
    const password = text(refs.passwordSecretRef?.name);
    if (password) keys.push(`${namespace}/${password}`);
    const connection = text(refs.connection?.secretName);
    if (connection) keys.push(`${namespace}/${connection}`);
    else if (this.defaultConnection) keys.push(`${this.defaultConnection.namespace}/${this.defaultConnection.name}`);
    return keys;
  }

  set(userKey: string, secretKeys: string[]): void {
    this.remove(userKey);
    this.byUser.set(userKey, secretKeys);
    for (const secret of secretKeys) {
      let users = this.bySecret.get(secret);
      if (!users) {
        users = new Set();
        this.bySecret.set(secret, users);
      }
      users.add(userKey);
    }
  }

  remove(userKey: string): void {
    for (const secret of this.byUser.get(userKey) ?? []) {
      const users = this.bySecret.get(secret);
      users?.delete(userKey);
      if (users?.size === 0) this.bySecret.delete(secret);
    }
    this.byUser.delete(userKey);
  }

  usersOf(secretKey: string): string[] {
    return [...(this.bySecret.get(secretKey) ?? [])];
  }

  /** Users that depend on any Secret (after a gap in the Secret watch, all of them must be rechecked). */
  allUsers(): string[] {
    return [...this.byUser.keys()];
  }
}
