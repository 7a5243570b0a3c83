import type { DatabaseUserView } from '../api/database-user-view.js';
import type { DatabaseUser } from '../api/database-user.js';
import { apiGroup, apiVersion, cliManagedByValue, databaseUserLabel, kind, managedByLabel, passwordSourceLabel } from '../api/names.js';
import type { PersonClient } from './person-client.js';
import { encodeSecretValue, type KubeSecret, type OwnerReference } from '../kube/objects.js';

/** The key kubectl dbuser stores a chosen password under (the CRD's default). */
export const passwordKey = 'password';

/** The name of the Secret holding a chosen password that kubectl dbuser creates for a DatabaseUser. */
export function passwordSecretNameFor(databaseUserName: string): string {
  return `${databaseUserName}-password`;
}

export function ownerReferenceTo(user: DatabaseUser): OwnerReference {
  return { apiVersion: `${apiGroup}/${apiVersion}`, kind, name: user.metadata.name ?? '', uid: user.metadata.uid ?? '' };
}

/**
 * A chosen-password Secret, labelled a password source (the operator reads passwords from no other
 * Secret, ADR 16) and as kubectl dbuser's so that delete and a switch to a generated password remove
 * it again (and never a Secret a person made). With an owner, a cluster's garbage collector removes it
 * with the DatabaseUser too (ADR 10).
 */
export function passwordSecretManifest(options: {
  secretName: string;
  key: string;
  databaseUserName: string;
  password: string;
  owner?: OwnerReference;
}): KubeSecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: options.secretName,
      labels: { [managedByLabel]: cliManagedByValue, [databaseUserLabel]: options.databaseUserName, [passwordSourceLabel]: 'true' },
      ...(options.owner ? { ownerReferences: [options.owner] } : {}),
    },
    type: 'Opaque',
    data: { [options.key]: encodeSecretValue(options.password) },
  };
}

/** Whether kubectl dbuser created this Secret for this DatabaseUser. */
export function isCliPasswordSecret(secret: KubeSecret | undefined, databaseUserName: string): boolean {
  const labels = secret?.metadata?.labels ?? {};
  return labels[managedByLabel] === cliManagedByValue && labels[databaseUserLabel] === databaseUserName;
}

/** Deletes the user's chosen-password Secret if kubectl dbuser made it (a person's own Secret stays). */
export async function removeCliPasswordSecret(client: PersonClient, view: DatabaseUserView): Promise<void> {
  const ref = view.passwordSecretRef;
  if (ref === undefined) return;
  const secret = await client.getSecret(ref.name);
  if (secret?.metadata?.uid && isCliPasswordSecret(secret, view.name)) await client.deleteSecret(ref.name, secret.metadata.uid);
}
