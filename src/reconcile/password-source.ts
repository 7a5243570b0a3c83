import { cliManagedByValue, connectionInUseFinalizer, managedByLabel, passwordSourceLabel } from '../api/names.js';
import type { SecretContents } from '../model/secret-contents.js';
import type { ChosenPassword } from './password-decision.js';

/** Secret types a chosen password may come from: what people write by hand, and the basic-auth type CloudNativePG uses. */
const passwordSourceTypes: readonly (string | undefined)[] = [undefined, 'Opaque', 'kubernetes.io/basic-auth'];

/** What else the named Secret is, as far as the operator knows: those are never password sources. */
export type ReservedSecret = 'connection' | 'credentials' | undefined;

/**
 * Whether a Secret opted in as a password source: the label, or the chosen-password Secrets that
 * `kubectl dbuser` wrote before the label existed (its managed-by value).
 */
export function isPasswordSource(labels: Readonly<Record<string, string>>): boolean {
  return labels[passwordSourceLabel] === 'true' || labels[managedByLabel] === cliManagedByValue;
}

/**
 * The chosen password spec.passwordSecretRef names, or why none can be read (ADR 16). Read only from
 * a Secret that opted in; never from a connection Secret or one the operator writes. A Secret that is
 * absent or did not opt in is described the same way, so a status reveals nothing about a Secret its
 * requester could not read.
 */
export function chosenPasswordFrom(ref: { name: string; key: string }, secret: SecretContents | undefined, reserved: ReservedSecret): ChosenPassword {
  const unreadable = (message: string): ChosenPassword => ({ kind: 'unreadable', message });
  if (reserved === 'connection') {
    return unreadable(`passwordSecretRef names Secret "${ref.name}", which holds admin credentials for a connection: a password is never read from it`);
  }
  if (reserved === 'credentials') {
    return unreadable(`passwordSecretRef names Secret "${ref.name}", which dbuser-operator writes: a password is never read from credentials Secrets`);
  }
  if (secret === undefined || secret.finalizers.includes(connectionInUseFinalizer) || !isPasswordSource(secret.labels)) {
    return unreadable(
      `password Secret "${ref.name}" was not found with the label ${passwordSourceLabel}=true: create it with that label ` +
        `(kubectl dbuser create does), or add it: kubectl label secret ${ref.name} ${passwordSourceLabel}=true`,
    );
  }
  if (!passwordSourceTypes.includes(secret.type)) {
    return unreadable(`password Secret "${ref.name}" has type ${secret.type ?? ''}: a password source must be Opaque or kubernetes.io/basic-auth`);
  }
  const password = secret.data[ref.key];
  if (password === undefined || password === '') return unreadable(`password Secret "${ref.name}" has no key "${ref.key}"`);
  return { kind: 'value', password, secretName: ref.name, resourceVersion: secret.resourceVersion };
}
