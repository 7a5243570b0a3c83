import { randomBytes } from 'node:crypto';
import { isConflict } from '../kube/api-error.js';
import type { KubeSecret } from '../kube/objects.js';

/** The type of the Secret holding the seal key: not Opaque, so it can never be named as a password source. */
export const sealKeyType = 'dbuser.dev/seal-key';
const keyField = 'key';

export interface SealKeyStore {
  getSecret(namespace: string, name: string): Promise<KubeSecret | undefined>;
  createSecret(namespace: string, secret: KubeSecret): Promise<KubeSecret>;
}

/**
 * The key that seals the credentials the operator writes (ADR 16): 256 random bits in a Secret of the
 * operator's namespace, created by the first replica that finds none (a replica that loses the race
 * reads the winner's). Tenants cannot read that namespace, so they cannot seal a password themselves.
 */
export async function readOrCreateSealKey(store: SealKeyStore, namespace: string, name: string): Promise<Buffer> {
  const existing = await store.getSecret(namespace, name);
  if (existing !== undefined) return keyOf(existing, namespace, name);
  try {
    const created = await store.createSecret(namespace, {
      apiVersion: 'v1',
      kind: 'Secret',
      // Not the managed-by label of credentials Secrets: tools that list those by it must not see the key.
      metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'dbuser-operator', 'app.kubernetes.io/component': 'seal-key' } },
      type: sealKeyType,
      data: { [keyField]: randomBytes(32).toString('base64') },
    });
    return keyOf(created, namespace, name);
  } catch (error) {
    if (!isConflict(error)) throw error;
    const winner = await store.getSecret(namespace, name);
    if (winner === undefined) throw error;
    return keyOf(winner, namespace, name);
  }
}

function keyOf(secret: KubeSecret, namespace: string, name: string): Buffer {
  const key = Buffer.from(secret.data?.[keyField] ?? '', 'base64');
  if (secret.type !== sealKeyType || key.length < 32) {
    throw new Error(
      `Secret ${namespace}/${name} is not a seal key (type ${sealKeyType} with a "${keyField}" of at least 32 bytes): delete it to let the operator create one`,
    );
  }
  return key;
}
