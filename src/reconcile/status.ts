import { conditionTypes, isTerminalReadyReason, type Condition, type ReadyReason } from '../api/conditions.js';
import { credentialsSecretName, type DatabaseUserStatus } from '../api/database-user.js';
import { encryptionOf } from '../model/password-encryption.js';
import { setsPassword, type RoleAction } from '../model/role-actions.js';
import type { Decision, Observed } from './decide.js';

export type Readiness = { ready: true; message: string } | { ready: false; reason: ReadyReason; message: string };

/** Status fields that describe what is applied in PostgreSQL; kept from the previous status when unknown. */
export type AppliedFields = Pick<
  DatabaseUserStatus,
  | 'username'
  | 'readOnly'
  | 'protected'
  | 'passwordEncryption'
  | 'secretName'
  | 'passwordUpdatedAt'
  | 'lastPasswordReset'
  | 'passwordSecretResourceVersion'
  | 'lastPasswordChange'
  | 'passwordRotatesAt'
  | 'expiresAt'
>;

/** Applied fields that no longer apply (e.g. no chosen-password Secret any more): removed from the status. */
export type ClearedFields = readonly (keyof AppliedFields)[];

const ownTypes: readonly string[] = Object.values(conditionTypes);

/**
 * Ready, plus the kstatus pair: Stalled=True for a terminal reason, Reconciling=True while a transient
 * failure is retried; neither when Ready (removed, so a converged status stays exactly what it was).
 * A change being applied needs no condition of its own: observedGeneration behind metadata.generation
 * already says "in progress", and writing one before the work would double the status writes.
 */
function ownConditions(readiness: Readiness, generation: number | undefined, previous: readonly Condition[], now: string): Condition[] {
  const condition = (type: string, status: Condition['status'], reason: string, message: string): Condition => {
    const before = previous.find((candidate) => candidate.type === type);
    return {
      type,
      status,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
      // Per API conventions the transition time moves only when the status does.
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : now,
      reason,
      message,
    };
  };
  if (readiness.ready) return [condition(conditionTypes.Ready, 'True', 'Reconciled', readiness.message)];
  const { reason, message } = readiness;
  const kstatusType = isTerminalReadyReason(reason) ? conditionTypes.Stalled : conditionTypes.Reconciling;
  return [condition(conditionTypes.Ready, 'False', reason, message), condition(kstatusType, 'True', reason, message)];
}

/** What one applied decision tells the status, and which fields no longer apply. */
export function appliedStatus(options: {
  name: string;
  observed: Pick<Observed, 'spec' | 'chosen' | 'role'>;
  decision: Extract<Decision, { kind: 'apply' }>;
  /** The actions PostgreSQL ran. */
  actions: readonly RoleAction[];
  previous: DatabaseUserStatus | undefined;
  now: Date;
}): { applied: AppliedFields; cleared: ClearedFields } {
  const { name, observed, decision, actions, previous, now } = options;
  const { spec, chosen } = observed;
  const { lifecycle, password } = decision;
  const encryption = encryptionOf(spec.passwordEncryption);
  const passwordSet = actions.some(setsPassword);
  const applied: AppliedFields = {
    username: spec.username,
    readOnly: spec.readOnly,
    protected: spec.protected,
    secretName: credentialsSecretName(name, spec),
    passwordEncryption: passwordSet ? encryption : (observed.role.password.encryption ?? previous?.passwordEncryption ?? encryption),
    ...(passwordSet ? { passwordUpdatedAt: now.toISOString() } : {}),
    ...(password.resetToken === undefined ? {} : { lastPasswordReset: password.resetToken }),
    ...(chosen.kind === 'value' ? { passwordSecretResourceVersion: chosen.resourceVersion } : {}),
    // The role has the Secret's password now, so the Secret's record of it is the role's.
    ...(lifecycle.lastPasswordChange === undefined ? {} : { lastPasswordChange: lifecycle.lastPasswordChange }),
    ...(lifecycle.passwordRotatesAt === undefined ? {} : { passwordRotatesAt: lifecycle.passwordRotatesAt.toISOString() }),
    ...(lifecycle.expiresAt === undefined ? {} : { expiresAt: lifecycle.expiresAt.toISOString() }),
  };
  const cleared: (keyof AppliedFields)[] = [
    ...(chosen.kind === 'value' ? [] : ['passwordSecretResourceVersion' as const]),
    ...(lifecycle.passwordRotatesAt === undefined ? ['passwordRotatesAt' as const] : []),
    ...(lifecycle.expiresAt === undefined ? ['expiresAt' as const] : []),
  ];
  return { applied, cleared };
}

/** The status to write: previous applied fields overlaid with what this reconcile knows. Pure. */
export function computeStatus(options: {
  previous: DatabaseUserStatus | undefined;
  generation: number | undefined;
  readiness: Readiness;
  applied: AppliedFields;
  cleared?: ClearedFields;
  now: string;
}): DatabaseUserStatus {
  const { previous, generation, readiness, applied, cleared = [], now } = options;
  const previousConditions = previous?.conditions ?? [];
  const otherConditions = previousConditions.filter((condition) => !ownTypes.includes(condition.type));
  const kept = Object.fromEntries(Object.entries(previous ?? {}).filter(([key]) => !(cleared as readonly string[]).includes(key)));
  const merged: DatabaseUserStatus = {
    ...kept,
    ...Object.fromEntries(Object.entries(applied).filter(([, value]) => value !== undefined)),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    conditions: [...ownConditions(readiness, generation, previousConditions, now), ...otherConditions],
  };
  return merged;
}

/** Structural equality, so an unchanged status is never written (the operator would loop on its own events). */
export function statusEquals(a: DatabaseUserStatus | undefined, b: DatabaseUserStatus | undefined): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, node: unknown) =>
    node !== null && typeof node === 'object' && !Array.isArray(node) ? Object.fromEntries(Object.entries(node).sort(([x], [y]) => x.localeCompare(y))) : node,
  );
}
