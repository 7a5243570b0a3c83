import type { KubeSecret } from '../kube/objects.js';
import type { SecretContents } from '../model/secret-contents.js';

function contentsOf(secret: KubeSecret): SecretContents {
  const metadata = secret.metadata ?? {};
  return {
    resourceVersion: metadata.resourceVersion ?? '',
    data: decodeSecretData(secret.data),
    type: secret.type,
    labels: metadata.labels ?? {},
    finalizers: metadata.finalizers ?? [],
  };
}

export function decodeSecretData(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

/**
 * The contents of Secrets people point DatabaseUsers at (connection, chosen password), read with a
 * GET only when the watched version differs from the one already read: a resync of unchanged users
 * reads none. `versionOf` comes from the watch cache; undefined means there is no such Secret.
 */
export class SecretReader {
  private readonly read = new Map<string, SecretContents>();
  /** GETs in flight by key and version: workers that need the same Secret at once share one request. */
  private readonly reading = new Map<string, Promise<SecretContents | undefined>>();

  constructor(
    private readonly get: (namespace: string, name: string) => Promise<KubeSecret | undefined>,
    private readonly versionOf: (namespace: string, name: string) => string | undefined,
  ) {}

  async contents(namespace: string, name: string): Promise<SecretContents | undefined> {
    const key = `${namespace}/${name}`;
    const version = this.versionOf(namespace, name);
    if (version === undefined) {
      this.read.delete(key);
      return undefined;
    }
    const known = this.read.get(key);
    if (known?.resourceVersion === version) return known;
    const flight = `${key}@${version}`;
    let pending = this.reading.get(flight);
    if (pending === undefined) {
      pending = this.fetch(namespace, name).finally(() => this.reading.delete(flight));
      this.reading.set(flight, pending);
    }
    return pending;
  }

  /** A Secret as the API server just returned it from our write: its contents need no GET. */
  remember(secret: KubeSecret): void {
    const { namespace = '', name = '' } = secret.metadata ?? {};
    this.read.set(`${namespace}/${name}`, contentsOf(secret));
  }

  private async fetch(namespace: string, name: string): Promise<SecretContents | undefined> {
    const key = `${namespace}/${name}`;
    const secret = await this.get(namespace, name);
    if (secret === undefined) {
      this.read.delete(key);
      return undefined;
    }
    const contents = contentsOf(secret);
    this.read.set(key, contents);
    return contents;
  }
}
