import type { ReadyReason } from '../api/conditions.js';
import { credentialsSecretName, type DatabaseUserSpec } from '../api/database-user.js';
import type { CredentialsSecretLookup, CredentialsWrite } from '../model/credentials.js';

/** What deleting one DatabaseUser does, decided from what was read. */
export type DeletionDecision =
  /** A protected user: nothing is dropped, the finalizer stays, and the user is told how to proceed. */
  | { kind: 'refuse'; reason: Extract<ReadyReason, 'DeletionBlocked'>; message: string }
  /** deletionPolicy Retain: the role stays; its credentials Secret, when ours, is written again without our owner reference. */
  | { kind: 'retain'; orphan: CredentialsWrite | undefined }
  /** deletionPolicy Delete: the role is dropped (without destroying data), then its credentials Secret when ours. */
  | { kind: 'drop'; secret: { name: string; uid: string } | undefined };

export interface DeletionInput {
  name: string;
  uid: string;
  namespace: string;
  spec: DatabaseUserSpec;
  /** The credentials Secret, its seal verified. */
  credentials: CredentialsSecretLookup;
}

/**
 * What deletion does (DESIGN §2, ADR 6): refuse for a protected user; otherwise by deletionPolicy. Only
 * this DatabaseUser's credentials Secret is touched: labelled for it and owned by it or sealed by the
 * operator (ADR 16). An orphaned Secret is sealed again only if its password was sealed, so a later
 * DatabaseUser of the same name can adopt it. Pure.
 */
export function decideDeletion(input: DeletionInput): DeletionDecision {
  const { spec, name, uid, namespace, credentials } = input;
  if (spec.protected) {
    return {
      kind: 'refuse',
      reason: 'DeletionBlocked',
      message: `user "${spec.username}" is protected: the role was not dropped. To delete it, set spec.protected to false (kubectl patch dbu ${name} --type merge -p '{"spec":{"protected":false}}')`,
    };
  }
  const secret = credentials.kind === 'managed' && credentials.secret.databaseUser === name ? credentials.secret : undefined;
  const ours = secret !== undefined && (secret.sealed || secret.ownerUids.includes(uid)) ? secret : undefined;
  if (spec.deletionPolicy === 'Delete') return { kind: 'drop', secret: ours && { name: ours.metadata.name, uid: ours.metadata.uid } };
  const orphan: CredentialsWrite | undefined = ours?.credentials && {
    name: credentialsSecretName(name, spec),
    namespace,
    databaseUserName: name,
    owner: undefined,
    credentials: ours.credentials,
    resetToken: ours.resetToken,
    passwordChange: ours.passwordChange,
    sealed: ours.sealed,
  };
  return { kind: 'retain', orphan };
}
