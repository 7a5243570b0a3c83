import { ConnectionSecretError, parseConnectionSecret, type ConnectionSettings } from '../api/connection.js';
import type { SecretContents } from '../model/secret-contents.js';
import { ReconcileProblem } from './problems.js';

export interface SecretReference {
  namespace: string;
  name: string;
}

/**
 * Turns a DatabaseUser's connection (a Secret in its namespace, or the operator's default) into
 * admin credentials, parsed once per version of the Secret.
 */
export class ConnectionResolver {
  private readonly parsed = new Map<string, { resourceVersion: string; settings: ConnectionSettings }>();

  constructor(
    private readonly contents: (namespace: string, name: string) => Promise<SecretContents | undefined>,
    readonly defaultConnection: SecretReference | undefined,
  ) {}

  /** Whether namespace/name is the operator's default connection Secret. */
  isDefault(namespace: string, name: string): boolean {
    return this.defaultConnection?.namespace === namespace && this.defaultConnection.name === name;
  }

  async resolve(namespace: string, secretName: string | undefined): Promise<ConnectionSettings> {
    const reference = secretName === undefined ? this.defaultConnection : { namespace, name: secretName };
    if (reference === undefined) {
      throw new ReconcileProblem('NoConnection', 'spec.connection is not set and the operator has no default connection', 'when-changed');
    }
    const key = `${reference.namespace}/${reference.name}`;
    const secret = await this.contents(reference.namespace, reference.name);
    if (secret === undefined) {
      this.parsed.delete(key);
      throw new ReconcileProblem('ConnectionSecretInvalid', `connection Secret "${key}" not found`, 'when-changed');
    }
    const known = this.parsed.get(key);
    if (known?.resourceVersion === secret.resourceVersion) return known.settings;
    try {
      const settings = parseConnectionSecret(secret.data);
      this.parsed.set(key, { resourceVersion: secret.resourceVersion, settings });
      return settings;
    } catch (error) {
      if (error instanceof ConnectionSecretError) {
        throw new ReconcileProblem('ConnectionSecretInvalid', `connection Secret "${key}": ${error.message}`, 'when-changed', { cause: error });
      }
      throw error;
    }
  }
}
