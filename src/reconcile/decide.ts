import type { ConnectionSettings } from '../api/connection.js';
import type { ReadyReason } from '../api/conditions.js';
import { credentialsSecretName, type DatabaseUserSpec, type DatabaseUserStatus, type PasswordChangeRecord } from '../api/database-user.js';
import { formatDuration, parseDuration } from '../api/duration.js';
import { apiGroup, apiVersion, kind } from '../api/names.js';
import { credentialsSecretMatches, type CredentialsSecretLookup, type CredentialsWrite } from '../model/credentials.js';
import { ownershipProblem } from '../model/guards.js';
import type { PasswordVerdict, RoleObservation } from '../model/observed.js';
import type { OwnershipMarker } from '../model/ownership-marker.js';
import { encryptionOf } from '../model/password-encryption.js';
import { expiryAt, rotationDueAt } from '../model/password-schedule.js';
import { planRoleActions, type DesiredRole } from '../model/plan.js';
import type { RoleAction } from '../model/role-actions.js';
import { decidePassword, type ChosenPassword, type PasswordChange, type PasswordDecision } from './password-decision.js';
import { storedCredentials } from './stored-credentials.js';

/** Everything one reconcile read about one DatabaseUser (its spec already validated). */
export interface Observed {
  namespace: string;
  name: string;
  uid: string;
  spec: DatabaseUserSpec;
  /** The dbuser.dev/reset-password annotation. */
  requestedResetToken: string | undefined;
  connection: ConnectionSettings;
  /** The database the user is granted access to. */
  database: string;
  /** The credentials Secret, its seal verified. */
  credentials: CredentialsSecretLookup;
  chosen: ChosenPassword;
  /** The password the role's stored one was compared with (stored-credentials.ts, candidateFor). */
  candidate: string | undefined;
  role: RoleObservation;
  /** The DatabaseUser's creation time and its last written status. */
  createdAt: Date;
  status: DatabaseUserStatus | undefined;
  /** dbuser.dev/requested-by: who created the user or requested the pending reset (stamped at admission). */
  requestedBy: string | undefined;
  now: Date;
}

/** What this operator is, as decide() needs it: settings, not observations. */
export interface DecideSettings {
  /** uid of kube-system: part of every ownership marker. */
  clusterId: string;
  /** Who the operator is to the API server: `by` of the changes it makes on its own (rotation, regeneration). */
  operatorIdentity: string;
  /** The shortest spec.passwordRotation.every this operator accepts. */
  minRotationMs: number;
}

export interface Refusal {
  kind: 'refuse';
  reason: ReadyReason;
  message: string;
  /** With ttl: the user is deleted then, whatever else is wrong. */
  expiresAt?: Date;
}

/** The password's lifecycle as the status reports it; undefined fields do not apply. */
export interface Lifecycle {
  lastPasswordChange: PasswordChangeRecord | undefined;
  passwordRotatesAt: Date | undefined;
  expiresAt: Date | undefined;
}

export type Decision =
  | Refusal
  /** The ttl has ended: delete the DatabaseUser (its finalizer then drops the role and the Secret). */
  | { kind: 'expire'; expiresAt: Date }
  | {
      kind: 'apply';
      /** The credentials Secret to write first; undefined when it already matches. */
      secret: CredentialsWrite | undefined;
      /** Take over fields another manager holds: only in a Secret that is ours. */
      forceSecret: boolean;
      /** The Secret held a password someone else wrote: it was not applied, and the Secret is written again. */
      rejectedSecretPassword: boolean;
      password: Exclude<PasswordDecision, { kind: 'refuse' }>;
      desired: DesiredRole;
      /** Planned on the observation made without the lock; an empty plan takes no lock at all. */
      actions: RoleAction[];
      lifecycle: Lifecycle;
    };

/**
 * Whether the role has `password`: the observation's verdict when it compared this very password;
 * otherwise it compared an older one, so a password about to be written differs by definition.
 */
export function verdictFor(password: string, candidate: string | undefined, observation: RoleObservation): PasswordVerdict {
  return password === candidate ? observation.password : { matches: false, encryption: observation.password.encryption };
}

export function markerOf(clusterId: string, user: Pick<Observed, 'namespace' | 'name' | 'uid'>): OwnershipMarker {
  return { cluster: clusterId, namespace: user.namespace, name: user.name, uid: user.uid };
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
export function decide(observed: Observed, settings: DecideSettings, generate: () => string): Decision {
  const { spec, name, credentials, now } = observed;
  const ttlMs = spec.ttl === undefined ? undefined : parseDuration(spec.ttl);
  const expiresAt = ttlMs === undefined ? undefined : expiryAt(observed.createdAt, ttlMs);
  if (expiresAt !== undefined && expiresAt <= now) return { kind: 'expire', expiresAt };
  const refuse = (reason: ReadyReason, message: string): Refusal => ({ kind: 'refuse', reason, message, ...(expiresAt ? { expiresAt } : {}) });

  const secretName = credentialsSecretName(name, spec);
  const secret = storedCredentials(observed);
  if (secret.kind === 'foreign') {
    return refuse('SecretConflict', `Secret "${secretName}" exists and was not written by dbuser-operator for this DatabaseUser; it was left untouched`);
  }
  const marker = markerOf(settings.clusterId, observed);
  const conflict = ownershipProblem(spec.username, observed.role, marker);
  if (conflict) return refuse('RoleConflict', conflict);
  const rotation = rotationOf(observed.spec, settings.minRotationMs);
  if (rotation.kind === 'refuse') return refuse(rotation.reason, rotation.message);

  const trusted = secret.kind === 'ours' ? secret.trusted : undefined;
  const rejected = secret.kind === 'ours' && secret.rejected;
  const stored = trusted === undefined ? undefined : { password: trusted.password, resetToken: trusted.resetToken };
  const storedChange = trusted?.change;
  const changedAt = passwordChangedAt(observed, storedChange);
  const rotationDue = rotation.kind === 'every' && stored !== undefined && rotationDueAt(observed.uid, changedAt, rotation.everyMs) <= now;
  const password = decidePassword(
    {
      protected: spec.protected,
      roleExists: observed.role.role !== undefined,
      chosen: observed.chosen,
      stored,
      storedRejected: rejected,
      requestedResetToken: observed.requestedResetToken,
      rotationDue,
    },
    generate,
  );
  if (password.kind === 'refuse') return refuse(password.reason, password.message);
  const verdict = verdictFor(password.password, observed.candidate, observed.role);
  if (password.kind === 'write' && password.mustMatchRole && verdict.matches === false) {
    return refuse('PasswordChangeRefused', 'the user is protected and the password in its Secret is not the one the role has: restore the previous password');
  }
  const passwordChange = password.kind === 'write' ? changeRecord(password.change, observed, settings.operatorIdentity) : storedChange;

  const write: CredentialsWrite = {
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
    passwordChange,
    sealed: true,
  };
  const secretIsCurrent = credentials.kind === 'managed' && !rejected && credentialsSecretMatches(credentials.secret, write);
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
  const lifecycle: Lifecycle = {
    lastPasswordChange: passwordChange,
    passwordRotatesAt: rotation.kind === 'every' ? rotationDueAt(observed.uid, password.kind === 'write' ? now : changedAt, rotation.everyMs) : undefined,
    expiresAt,
  };
  return {
    kind: 'apply',
    secret: secretIsCurrent ? undefined : write,
    forceSecret: secret.kind === 'ours',
    rejectedSecretPassword: rejected,
    password,
    desired,
    actions,
    lifecycle,
  };
}

type Rotation = { kind: 'none' } | { kind: 'every'; everyMs: number } | { kind: 'refuse'; reason: ReadyReason; message: string };

/** spec.passwordRotation, checked against what can be rotated and the operator's minimum. */
function rotationOf(spec: DatabaseUserSpec, minRotationMs: number): Rotation {
  if (spec.passwordRotation === undefined) return { kind: 'none' };
  const everyMs = parseDuration(spec.passwordRotation.every) ?? 0;
  if (everyMs < minRotationMs) {
    return {
      kind: 'refuse',
      reason: 'InvalidSpec',
      message: `spec.passwordRotation.every is ${spec.passwordRotation.every}: this operator rotates at most every ${formatDuration(minRotationMs)} (setting MIN_PASSWORD_ROTATION)`,
    };
  }
  if (spec.passwordSecretRef !== undefined) {
    return {
      kind: 'refuse',
      reason: 'PasswordRotationRefused',
      message: `the password is chosen in Secret "${spec.passwordSecretRef.name}": rotate it by editing that Secret, and remove spec.passwordRotation`,
    };
  }
  if (spec.protected)
    return {
      kind: 'refuse',
      reason: 'PasswordRotationRefused',
      message: 'the user is protected, so its password is never rotated: remove spec.passwordRotation',
    };
  return { kind: 'every', everyMs };
}

/** When the current password was set: its trusted record, else the status, else the user's creation. */
function passwordChangedAt(observed: Observed, storedChange: PasswordChangeRecord | undefined): Date {
  const recorded = storedChange?.at ?? observed.status?.passwordUpdatedAt;
  const at = recorded === undefined ? Number.NaN : Date.parse(recorded);
  return Number.isNaN(at) ? observed.createdAt : new Date(at);
}

/** Why and for whom a new password is written; `by` only from what the API server authenticated. */
function changeRecord(change: PasswordChange, observed: Observed, operatorIdentity: string): PasswordChangeRecord {
  const at = observed.now.toISOString();
  const requester = observed.requestedBy === undefined ? {} : { by: observed.requestedBy };
  switch (change) {
    case 'initial':
      // dbuser.dev/requested-by names who requested a reset; nobody stamps creations (ADR 14).
      return { reason: 'created', at };
    case 'reset':
      return { reason: 'reset', at, ...requester };
    case 'regenerated':
      return { reason: 'reset', at, by: operatorIdentity };
    case 'rotation':
      return { reason: 'rotation', at, by: operatorIdentity };
    case 'chosen':
    case 'restored':
      return { reason: 'update', at };
  }
}
