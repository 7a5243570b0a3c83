import { ConnectionSecretError, parseConnectionSecret, type ConnectionSettings } from '../api/connection.js';
import type { KubeResources } from '../kubernetes/resources.js';
import { decodeSecretData } from './credentials-secret.js';
import { ReconcileProblem } from './problem.js';

export interface SecretReference {
  namespace: string;
  name: string;
}

/**
 * Turns a DatabaseUser's connection (a Secret in its namespace, or the operator's default) into
 * admin credentials. Parsed settings are cached until the Secret watch reports a change.
 */
export class ConnectionResolver {
  private readonly cache = new Map<string, ConnectionSettings>();

  constructor(
    private readonly resources: KubeResources,
    readonly defaultConnection: SecretReference | undefined,
  ) {}

  /** The Secret a DatabaseUser's connection comes from, or undefined when there is none. */
  referenceFor(namespace: string, secretName: string | undefined): SecretReference | undefined {
    return secretName === undefined ? this.defaultConnection : { namespace, name: secretName };
  }

  async resolve(namespace: string, secretName: string | undefined): Promise<ConnectionSettings> {
    const reference = this.referenceFor(namespace, secretName);
    if (reference === undefined) {
      throw new ReconcileProblem('NoConnection', 'spec.connection is not set and the operator has no default connection', 'on-change');
    }
    const key = `${reference.namespace}/${reference.name}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const secret = await this.resources.getSecret(reference.namespace, reference.name);
    if (secret === undefined) {
      throw new ReconcileProblem('ConnectionSecretInvalid', `connection Secret "${key}" not found`, 'on-change');
    }
    try {
      const settings = parseConnectionSecret(decodeSecretData(secret.data));
      this.cache.set(key, settings);
      return settings;
    } catch (error) {
      if (error instanceof ConnectionSecretError) {
        throw new ReconcileProblem('ConnectionSecretInvalid', `connection Secret "${key}": ${error.message}`, 'on-change');
      }
      throw error;
    }
  }

  /** Forgets a Secret (it changed), or everything (changes may have been missed). */
  invalidate(key?: string): void {
    if (key === undefined) this.cache.clear();
    else this.cache.delete(key);
  }
}
