/** The shapes of core objects this project reads and writes, as JSON. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export interface KubeSecret {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
  };
  type?: string;
  data?: Record<string, string>;
}

export interface ObjectList<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  /** null when empty in a PartialObjectMetadataList (Go's nil slice): a fresh cluster sends that. */
  items: T[] | null;
}

/** The decoded value of one key of a Secret, or undefined. */
export function secretValue(secret: KubeSecret | undefined, key: string): string | undefined {
  const encoded = secret?.data?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}

export function encodeSecretValue(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}
