import type { ConnectionSettings } from '../api/connection.js';
import type { ReadyReason } from '../api/conditions.js';
import { credentialsSecretName, type DatabaseUserSpec } from '../api/database-user.js';
import { apiGroup, apiVersion, kind } from '../api/names.js';
import type { CredentialsSecretLookup } from '../kubernetes/cluster-cache.js';
import { credentialsSecretManifest, secretMatches, type SecretManifest } from '../kubernetes/credentials-secret.js';
import { ownershipProblem } from '../model/guards.js';
import type { PasswordVerdict, RoleObservation } from '../model/observed.js';
import type { OwnershipMarker } from '../model/ownership-marker.js';
import { encryptionOf } from '../model/password-encryption.js';
import { planRoleActions, type DesiredRole } from '../model/plan.js';
import type { RoleAction } from '../model/role-actions.js';
import { decidePassword, type ChosenPassword, type PasswordDecision } from './password-decision.js';

/** Everything one reconcile read about one DatabaseUser (its spec already validated). */
export interface Observed {
  namespace: string;
  name: string;
  uid: string;
  spec: DatabaseUserSpec;
  /** uid of kube-system: part of every ownership marker. */
  clusterId: string;
  /** The dbuser.dev/reset-password annotation. */
  resetRequest: string | undefined;
  connection: ConnectionSettings;
  /** The database the user is granted access to. */
  database: string;
  credentials: CredentialsSecretLookup;
  chosen: ChosenPassword;
  /** The password the role's stored one was compared with: the credentials Secret's, else the chosen one. */
  candidate: string | undefined;
  role: RoleObservation;
}

export interface Refusal {
  kind: 'refuse';
  reason: ReadyReason;
  message: string;
}

export type Decision =
  | Refusal
  | {
      kind: 'apply';
      /** The credentials Secret to write first; undefined when it already matches. */
      secret: SecretManifest | undefined;
      /** Take over fields another manager holds: only in a Secret that is ours. */
      forceSecret: boolean;
      password: Exclude<PasswordDecision, { kind: 'refuse' }>;
      desired: DesiredRole;
      /** Planned on the observation made without the lock; an empty plan takes no lock at all. */
      actions: RoleAction[];
    };

/** The password the credentials Secret holds, when it is this user's Secret. */
export function storedPassword(credentials: CredentialsSecretLookup, databaseUser: string): { password: string; resetToken: string | undefined } | undefined {
  if (credentials.kind !== 'managed' || credentials.secret.databaseUser !== databaseUser) return undefined;
  const password = credentials.secret.credentials?.password;
  return password === undefined ? undefined : { password, resetToken: credentials.secret.resetToken };
}

/** The candidate a role observation compares the stored password with. */
export function passwordCandidate(credentials: CredentialsSecretLookup, databaseUser: string, chosen: ChosenPassword): string | undefined {
  return storedPassword(credentials, databaseUser)?.password ?? (chosen.kind === 'value' ? chosen.password : undefined);
}

/**
 * Whether the role has `password`: the observation's verdict when it compared this very password;
 * otherwise it compared an older one, so a password about to be written differs by definition.
 */
export function verdictFor(password: string, candidate: string | undefined, observation: RoleObservation): PasswordVerdict {
  return password === candidate ? observation.password : { matches: false, encryption: observation.password.encryption };
}

export function markerOf(observed: Pick<Observed, 'clusterId' | 'namespace' | 'name' | 'uid'>): OwnershipMarker {
  return { cluster: observed.clusterId, namespace: observed.namespace, name: observed.name, uid: observed.uid };
}

/** The guards and the plan on one observation: what to run, or why nothing may be run. */
export function planFor(desired: DesiredRole, observation: RoleObservation, verdict: PasswordVerdict): RoleAction[] | Refusal {
  const conflict = ownershipProblem(desired.username, observation, desired.marker);
  if (conflict) return { kind: 'refuse', reason: 'RoleConflict', message: conflict };
  return planRoleActions(desired, observation, verdict);
}

/**
 * What this reconcile must do, from what it read. Pure: `generate` supplies new passwords. In order:
 * whose Secret and role these are, which password the user must have, the Secret to write, and the
 * changes PostgreSQL needs.
 */
export function decide(observed: Observed, generate: () => string): Decision {
  const { spec, name, credentials } = observed;
  const secretName = credentialsSecretName(name, spec);
  if (credentials.kind === 'unmanaged' || (credentials.kind === 'managed' && credentials.secret.databaseUser !== name)) {
    return {
      kind: 'refuse',
      reason: 'SecretConflict',
      message: `Secret "${secretName}" exists and was not written by dbuser-operator for this DatabaseUser; it was left untouched`,
    };
  }
  const marker = markerOf(observed);
  const conflict = ownershipProblem(spec.username, observed.role, marker);
  if (conflict) return { kind: 'refuse', reason: 'RoleConflict', message: conflict };

  const password = decidePassword(
    {
      protected: spec.protected,
      roleExists: observed.role.role !== undefined,
      chosen: observed.chosen,
      stored: storedPassword(credentials, name),
      resetRequest: observed.resetRequest,
    },
    generate,
  );
  if (password.kind === 'refuse') return password;
  const verdict = verdictFor(password.password, observed.candidate, observed.role);
  if (password.kind === 'write' && password.mustMatchRole && verdict.matches === false) {
    return {
      kind: 'refuse',
      reason: 'PasswordChangeRefused',
      message: 'the user is protected and the password in its Secret is not the one the role has: restore the previous password',
    };
  }

  const manifest = credentialsSecretManifest({
    name: secretName,
    namespace: observed.namespace,
    databaseUserName: name,
    owner: { apiVersion: `${apiGroup}/${apiVersion}`, kind, name, uid: observed.uid },
    credentials: {
      username: spec.username,
      password: password.password,
      host: observed.connection.host,
      port: observed.connection.port,
      database: observed.database,
      sslMode: observed.connection.sslMode,
    },
    resetToken: password.resetToken,
  });
  const secretIsCurrent = credentials.kind === 'managed' && secretMatches(credentials.secret, manifest);
  const desired: DesiredRole = {
    username: spec.username,
    readOnly: spec.readOnly,
    password: password.password,
    encryption: encryptionOf(spec.passwordEncryption),
    marker,
    validUntil: spec.validUntil ?? null,
    connectionLimit: spec.connectionLimit,
  };
  const actions = planRoleActions(desired, observed.role, verdict);
  return { kind: 'apply', secret: secretIsCurrent ? undefined : manifest, forceSecret: credentials.kind === 'managed', password, desired, actions };
}
